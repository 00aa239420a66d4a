// Per-call cost of the budget guard: the same OpenAI chat call traced by
// @agentburn/instrumentation-openai (+ CostSpanProcessor), outside any budget
// and inside `withBudget`, for prompts of about 1k and 20k tokens. With a
// budget, each call is projected (gpt-4o's prompt counted with gpt-tokenizer),
// reserved and settled; without one the guard is a context lookup. One
// process drives the real `openai` SDK against the in-process fake OpenAI
// server; blocks of calls alternate between the two modes so they share
// warm-up; each block is timed in process CPU time. Guard cost = median
// per-call CPU with a budget minus without. Also measured: the one-time
// load of the tokenizer (first projection of the process), and the no-budget
// fast path on its own.
//
//   node bench/budget.bench.mjs        (BENCH_CALLS=... calls per mode for the 1k prompt; 20k gets a fifth)
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { root, tmp } from './lib/bundle.mjs';
import { countingExporter, machine, median } from './lib/measure.mjs';

const CALLS = Number(process.env.BENCH_CALLS ?? 1000);
const BLOCK = 25;
const CALL_MS = 300;

// The current sources, bundled: the instrumentation and the parts of core the bench calls.
const { build } = await import('esbuild');
mkdirSync(tmp, { recursive: true });
const core = join(root, 'packages/core/src/index.ts');
const common = { bundle: true, platform: 'node', format: 'esm', target: 'node20', logLevel: 'silent' };
await build({
  ...common,
  entryPoints: [join(root, 'test/fakes/openai-server.ts')],
  outfile: join(tmp, 'budget-fake.mjs'),
});
await build({
  ...common,
  stdin: {
    contents: [
      `export { OpenAIInstrumentation } from ${JSON.stringify(join(root, 'packages/instrumentation-openai/src/index.ts'))};`,
      `export { CostSpanProcessor, withBudget, admitLlmCall, SpanFinisher } from ${JSON.stringify(core)};`,
    ].join('\n'),
    resolveDir: root,
    loader: 'ts',
  },
  outfile: join(tmp, 'budget-agentburn.mjs'),
  alias: { '@agentburn/core': core },
  external: ['@opentelemetry/*', 'openai', 'openai/*', '@pydantic/genai-prices', 'gpt-tokenizer', 'gpt-tokenizer/*'],
});
const { OpenAIInstrumentation, CostSpanProcessor, withBudget, admitLlmCall, SpanFinisher } = await import(
  pathToFileURL(join(tmp, 'budget-agentburn.mjs')).href
);
const { startOpenAIServer } = await import(pathToFileURL(join(tmp, 'budget-fake.mjs')).href);
const { context } = await import('@opentelemetry/api');
const { AsyncLocalStorageContextManager } = await import('@opentelemetry/context-async-hooks');
const { BasicTracerProvider, SimpleSpanProcessor } = await import('@opentelemetry/sdk-trace-base');

context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
const exporter = countingExporter();
const provider = new BasicTracerProvider({
  spanProcessors: [new CostSpanProcessor(), new SimpleSpanProcessor(exporter)],
});
const instrumentation = new OpenAIInstrumentation();
instrumentation.setTracerProvider(provider);
const require = createRequire(import.meta.url);
const { OpenAI } = require('openai');
const { countTokens } = require('gpt-tokenizer/encoding/o200k_base');

const server = await startOpenAIServer();
const client = new OpenAI({ baseURL: server.url, apiKey: 'sk-bench', maxRetries: 0 });

/** A prompt of about `tokens` o200k tokens, of varied English words (a tokenizer's usual load). */
function prompt(tokens) {
  const words =
    'agent sandbox writes a function runs its tests reads the failure and tries again until they pass'.split(' ');
  const parts = [];
  for (let i = 0; parts.length < tokens; i++) parts.push(`${words[i % words.length]}${i % 7 === 0 ? i : ''}`);
  let text = parts.join(' ');
  while (countTokens(text) > tokens) text = text.slice(0, Math.floor(text.length * 0.99));
  return text;
}

const body = (text) => ({
  model: 'gpt-4o',
  max_completion_tokens: 500,
  messages: [
    { role: 'system', content: 'You write Python.' },
    { role: 'user', content: text },
  ],
});

// The first projection of the process loads gpt-tokenizer's o200k tables.
const loadStart = performance.now();
await withBudget({ limitUsd: 1e9 }, () => client.chat.completions.create(body('warm the tokenizer')));
const loadMs = performance.now() - loadStart;

/**
 * `fresh`: every call's prompt is new text (a distinct prefix), so it is
 * tokenized in full: the guard's worst case. Otherwise the same prompt is
 * re-sent, as an agent re-sends its history: counts come from the memo.
 * Budgeted blocks run inside one scope, as a task's calls do.
 */
async function measure(text, calls, fresh) {
  let n = 0;
  const request = () => body(fresh ? `${n++} ${text}` : text);
  const block = async () => {
    for (let i = 0; i < BLOCK; i++) await client.chat.completions.create(request());
  };
  const modes = { none: block, budget: () => withBudget({ limitUsd: 1e9 }, block) };
  const perCall = { none: [], budget: [] };
  const warm = Math.max(2, Math.round(calls / BLOCK / 5));
  for (const mode of Object.keys(modes)) for (let i = 0; i < warm; i++) await modes[mode]();
  for (let done = 0; done < calls; done += BLOCK) {
    for (const mode of Object.keys(modes)) {
      const start = process.cpuUsage();
      await modes[mode]();
      const used = process.cpuUsage(start);
      perCall[mode].push((used.user + used.system) / BLOCK);
    }
  }
  return { none: median(perCall.none), budget: median(perCall.budget), tokens: countTokens(text) };
}

const rows = [];
for (const [label, tokens, calls] of [
  ['1k', 1000, CALLS],
  ['20k', 20_000, Math.max(BLOCK * 4, Math.round(CALLS / 5))],
]) {
  for (const fresh of [true, false]) {
    const before = exporter.exported;
    const r = await measure(prompt(tokens), calls, fresh);
    if (exporter.exported - before < calls * 2) throw new Error('a call exported no span');
    rows.push({ label: `${label}, ${fresh ? 'new text each call' : 're-sent (agent history)'}`, ...r, calls });
  }
}

// The fast path alone: the check of a call made outside any budget (what every traced call pays).
const span = provider.getTracer('bench').startSpan('fast-path');
const finisher = new SpanFinisher(span);
const FAST = 1_000_000;
const fastStart = process.cpuUsage();
for (let i = 0; i < FAST; i++)
  admitLlmCall(finisher, { body: undefined, attributes: {}, spanName: 'x', capField: undefined });
const fastUsed = process.cpuUsage(fastStart);
const fastNs = ((fastUsed.user + fastUsed.system) * 1000) / FAST;
span.end();

await server.close();
console.log(machine());
console.log(
  `Blocks of ${BLOCK} calls alternating between modes (budgeted blocks inside one withBudget scope); per-call CPU medians in µs.`,
);
console.log(
  '| prompt | o200k tokens | calls per mode | no budget µs | withBudget µs | guard µs | share of a 300 ms call |',
);
console.log('|---|---:|---:|---:|---:|---:|---:|');
for (const r of rows) {
  const guard = r.budget - r.none;
  console.log(
    `| ${r.label} | ${r.tokens} | ${r.calls} | ${r.none.toFixed(1)} | ${r.budget.toFixed(1)} | ${guard.toFixed(1)} | ${((guard / (CALL_MS * 1000)) * 100).toFixed(2)}% |`,
  );
}
console.log(`first projection of the process (loads gpt-tokenizer o200k): ${loadMs.toFixed(0)} ms wall, once`);
console.log(`no budget active: the check costs ${fastNs.toFixed(1)} ns per call`);
