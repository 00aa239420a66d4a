// Per-call overhead of OpenAI instrumentations: @agentburn/instrumentation-openai
// (with the CostSpanProcessor), @opentelemetry/instrumentation-openai and
// @traceloop/instrumentation-openai, side by side in one run.
//
// Each variant runs in its own child process with the real `openai` SDK and an
// in-process fake OpenAI server (real HTTP, real SSE). A child alternates
// blocks of instrumented and uninstrumented calls (`enable()` / `disable()`),
// so both sides share one process and its warm-up, and times every block in
// process CPU time (user + system: a shared machine inflates wall time far
// more) and in wall time. A child's overhead is the median over block pairs
// of the per-call difference. The children run in ROUNDS interleaved rounds
// (A B C A B C ...) and each variant reports the median of its rounds, so a
// change of machine load hits all variants alike. Every traced call must
// export exactly one span, or the run fails.
//
//   node bench/openai.bench.mjs      BENCH_CALLS (non-stream calls per side), BENCH_ROUNDS
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { bundleForBench, tmp } from './lib/bundle.mjs';
import { countingExporter, machine, median } from './lib/measure.mjs';

const CALLS = Number(process.env.BENCH_CALLS ?? 2000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const STREAM_CALLS = Math.max(100, Math.round(CALLS / 5));
const STREAM_CHUNKS = 100;
const BLOCK = 20;
const KINDS = ['nonStream', 'stream'];

const VARIANTS = {
  agentburn: '@agentburn/instrumentation-openai (+ CostSpanProcessor)',
  'agentburn-alone': '@agentburn/instrumentation-openai alone (no CostSpanProcessor)',
  otel: '@opentelemetry/instrumentation-openai 0.21',
  traceloop: '@traceloop/instrumentation-openai 0.27',
};

if (process.argv[2] === '--child') await child(process.argv[3]);
else await parent();

async function parent() {
  await bundleForBench({
    fake: 'openai-server.ts',
    fakeOut: 'fake.mjs',
    packageDir: 'instrumentation-openai',
    instrumentationClass: 'OpenAIInstrumentation',
    sourcesOut: 'agentburn.mjs',
    external: ['@opentelemetry/*', 'openai', 'openai/*', '@pydantic/genai-prices'],
  });
  const rounds = Object.fromEntries(Object.keys(VARIANTS).map((name) => [name, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const name of Object.keys(VARIANTS)) {
      const run = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--child', name], { encoding: 'utf8' });
      const line = run.stdout.split('\n').find((l) => l.startsWith('RESULT '));
      if (run.status !== 0 || !line) {
        console.error(`${name} failed:\n${run.stderr}`);
        process.exitCode = 1;
        return;
      }
      rounds[name].push(JSON.parse(line.slice(7)));
    }
  }
  // Median over rounds, field by field.
  const results = {};
  for (const [name, runs] of Object.entries(rounds)) {
    results[name] = {};
    for (const kind of KINDS) {
      results[name][kind] = {};
      for (const field of Object.keys(runs[0][kind]))
        results[name][kind][field] = median(runs.map((r) => r[kind][field]));
    }
  }

  console.log(machine());
  console.log(
    `Samples: ${CALLS} non-stream and ${STREAM_CALLS} stream calls (${STREAM_CHUNKS} chunks) per side, per variant, per round; ${ROUNDS} rounds\n`,
  );
  const lightest = (kind) => Math.min(results.otel[kind].overheadUs, results.traceloop[kind].overheadUs);
  console.log(
    '| instrumentation | call | CPU µs/call, off | CPU overhead µs | vs lightest peer | wall µs/call, off | wall overhead µs | overhead per round (CPU µs) |',
  );
  console.log('|---|---|---:|---:|---:|---:|---:|---|');
  for (const [name, label] of Object.entries(VARIANTS)) {
    for (const kind of KINDS) {
      const r = results[name][kind];
      const perRound = rounds[name].map((run) => run[kind].overheadUs.toFixed(1)).join(' / ');
      const call = kind === 'stream' ? `stream (${STREAM_CHUNKS} chunks)` : 'non-stream';
      const ratio = (r.overheadUs / lightest(kind)).toFixed(2);
      console.log(
        `| ${label} | ${call} | ${r.baseUs.toFixed(1)} | ${r.overheadUs.toFixed(1)} | ${ratio}x | ${r.baseWallUs.toFixed(1)} | ${r.wallOverheadUs.toFixed(1)} | ${perRound} |`,
      );
    }
  }
  console.log('');
  for (const kind of KINDS) {
    const ours = results.agentburn[kind].overheadUs;
    const alone = results['agentburn-alone'][kind].overheadUs;
    const verdict = ours <= lightest(kind) ? 'meets' : 'misses';
    console.log(
      `${kind}: agentburn ${ours.toFixed(1)} µs (instrumentation alone ${alone.toFixed(1)} µs) vs lightest peer ${lightest(kind).toFixed(1)} µs: ${verdict} the target`,
    );
  }
}

async function child(name) {
  const { createRequire } = await import('node:module');
  const require = createRequire(import.meta.url);
  const { metrics } = require('@opentelemetry/api');
  const { BasicTracerProvider, SimpleSpanProcessor } = require('@opentelemetry/sdk-trace-base');

  // Spans are built and handed to an exporter that counts and drops them.
  const exporter = countingExporter();
  const processors = [new SimpleSpanProcessor(exporter)];
  let instrumentation;
  if (name.startsWith('agentburn')) {
    const { OpenAIInstrumentation, CostSpanProcessor } = await import(pathToFileURL(join(tmp, 'agentburn.mjs')).href);
    // The `-alone` row splits the instrumentation's share from pricing's.
    if (name === 'agentburn') processors.unshift(new CostSpanProcessor());
    instrumentation = new OpenAIInstrumentation();
  } else if (name === 'otel') {
    const { OpenAIInstrumentation } = require('@opentelemetry/instrumentation-openai');
    instrumentation = new OpenAIInstrumentation();
  } else {
    const { OpenAIInstrumentation } = require('@traceloop/instrumentation-openai');
    // Content off, as the other two default to.
    instrumentation = new OpenAIInstrumentation({ traceContent: false });
  }
  instrumentation.setTracerProvider(new BasicTracerProvider({ spanProcessors: processors }));
  // The API's no-op meter for all three. Setting it also re-creates instruments that a subclass
  // field initialiser may have reset after the base constructor made them (0.21 of the contrib
  // package crashes on streams without this).
  instrumentation.setMeterProvider(metrics.getMeterProvider());

  const { OpenAI } = require('openai');
  const { startOpenAIServer } = await import(pathToFileURL(join(tmp, 'fake.mjs')).href);
  const server = await startOpenAIServer();
  server.defaults.streamChunks = STREAM_CHUNKS;
  const client = new OpenAI({ baseURL: server.url, apiKey: 'sk-bench', maxRetries: 0 });
  const messages = [{ role: 'user', content: 'Say hello.' }];
  const nonStream = () => client.chat.completions.create({ model: 'gpt-4o', messages });
  const stream = async () => {
    const s = await client.chat.completions.create({ model: 'gpt-4o', messages, stream: true });
    for await (const _ of s);
  };

  let tracedCalls = 0;
  async function timeBlock(call, enabled) {
    if (enabled) instrumentation.enable();
    else instrumentation.disable();
    if (enabled) tracedCalls += BLOCK;
    const cpu = process.cpuUsage();
    const start = performance.now();
    for (let i = 0; i < BLOCK; i++) await call();
    const wallUs = ((performance.now() - start) * 1000) / BLOCK;
    const used = process.cpuUsage(cpu);
    return { wallUs, cpuUs: (used.user + used.system) / BLOCK };
  }

  async function measure(call, total) {
    for (let i = 0; i < 6; i++) await timeBlock(call, i % 2 === 0); // warm-up
    const on = [];
    const off = [];
    for (let done = 0; done < total; done += BLOCK) {
      const onFirst = done % (2 * BLOCK) === 0; // alternate which side goes first
      const a = await timeBlock(call, onFirst);
      const b = await timeBlock(call, !onFirst);
      on.push(onFirst ? a : b);
      off.push(onFirst ? b : a);
      server.requests.length = 0;
    }
    return {
      baseUs: median(off.map((b) => b.cpuUs)),
      overheadUs: median(on.map((b, i) => b.cpuUs - off[i].cpuUs)),
      baseWallUs: median(off.map((b) => b.wallUs)),
      wallOverheadUs: median(on.map((b, i) => b.wallUs - off[i].wallUs)),
    };
  }

  const result = { nonStream: await measure(nonStream, CALLS), stream: await measure(stream, STREAM_CALLS) };
  await server.close();
  if (exporter.exported !== tracedCalls)
    throw new Error(`${name}: ${exporter.exported} spans for ${tracedCalls} traced calls`);
  console.log(`RESULT ${JSON.stringify(result)}`);
}
