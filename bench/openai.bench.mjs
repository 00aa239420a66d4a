// Per-call overhead of OpenAI instrumentations, in microseconds: agentburn
// (with its CostSpanProcessor), @opentelemetry/instrumentation-openai and
// @traceloop/instrumentation-openai, side by side in one run. Each runs in its
// own child process against an in-process fake OpenAI server (real HTTP, real
// SSE), alternating blocks of instrumented and uninstrumented calls
// (`disable()` / `enable()`), so both sides share the same process and
// warm-up. Overhead = median over block pairs of the per-call difference in
// process CPU time (wall time is reported too).
//
//   node bench/openai.bench.mjs            (BENCH_CALLS=... to change the sample size)
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const tmp = join(root, 'bench', '.tmp');
const CALLS = Number(process.env.BENCH_CALLS ?? 3000);
const STREAM_CALLS = Math.max(100, Math.round(CALLS / 5));
const STREAM_CHUNKS = 100;
const BLOCK = 20;

const VARIANTS = {
  agentburn: { label: '@agentburn/instrumentation-openai (+ CostSpanProcessor)' },
  otel: { label: '@opentelemetry/instrumentation-openai 0.21' },
  traceloop: { label: '@traceloop/instrumentation-openai 0.27' },
};

if (process.argv[2] === '--child') await child(process.argv[3]);
else await parent();

async function parent() {
  await bundle();
  const results = {};
  for (const name of Object.keys(VARIANTS)) {
    const run = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--child', name], {
      encoding: 'utf8',
      env: { ...process.env, OTEL_SDK_DISABLED: undefined },
    });
    const line = run.stdout.split('\n').find((l) => l.startsWith('RESULT '));
    if (run.status !== 0 || !line) {
      console.error(`${name} failed:\n${run.stderr}`);
      process.exitCode = 1;
      return;
    }
    results[name] = JSON.parse(line.slice(7));
  }
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  console.log(
    `Machine: ${cpu}, ${cpus().length} logical CPUs, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${process.platform}/${process.arch}`,
  );
  console.log(
    `Samples: ${CALLS} non-stream and ${STREAM_CALLS} stream calls (${STREAM_CHUNKS} chunks) per side per variant\n`,
  );
  const lightest = (kind) => Math.min(results.otel[kind].overheadUs, results.traceloop[kind].overheadUs);
  console.log(
    '| instrumentation | kind | uninstrumented median µs | instrumented median µs | overhead µs | vs lightest peer |',
  );
  console.log('|---|---|---:|---:|---:|---:|');
  for (const [name, { label }] of Object.entries(VARIANTS)) {
    for (const kind of ['nonStream', 'stream']) {
      const r = results[name][kind];
      const ratio = r.overheadUs / lightest(kind);
      console.log(
        `| ${label} | ${kind === 'stream' ? `stream (${STREAM_CHUNKS} chunks)` : 'non-stream'} | ${r.baseUs.toFixed(1)} | ${r.instrumentedUs.toFixed(1)} | ${r.overheadUs.toFixed(1)} | ${ratio.toFixed(2)}x | ${r.baseWallUs.toFixed(1)} | ${r.wallOverheadUs.toFixed(1)} |`,
      );
    }
  }
  for (const kind of ['nonStream', 'stream']) {
    const ours = results.agentburn[kind].overheadUs;
    const verdict = ours <= lightest(kind) ? 'meets' : 'MISSES';
    console.log(
      `\n${kind}: agentburn ${ours.toFixed(1)} µs vs lightest peer ${lightest(kind).toFixed(1)} µs -> ${verdict} the target`,
    );
  }
}

/** The fake server and our current sources as plain JavaScript (dependencies external). */
async function bundle() {
  const { build } = await import('esbuild');
  mkdirSync(tmp, { recursive: true });
  const common = { bundle: true, platform: 'node', format: 'esm', target: 'node20', logLevel: 'silent' };
  await build({
    ...common,
    entryPoints: [join(root, 'test', 'fakes', 'openai-server.ts')],
    outfile: join(tmp, 'fake.mjs'),
  });
  await build({
    ...common,
    stdin: {
      contents: [
        `export { OpenAIInstrumentation } from ${JSON.stringify(join(root, 'packages/instrumentation-openai/src/index.ts'))};`,
        `export { CostSpanProcessor } from ${JSON.stringify(join(root, 'packages/core/src/index.ts'))};`,
      ].join('\n'),
      resolveDir: root,
      loader: 'ts',
    },
    outfile: join(tmp, 'agentburn.mjs'),
    alias: { '@agentburn/core': join(root, 'packages/core/src/index.ts') },
    external: ['@opentelemetry/*', 'openai', 'openai/*', '@pydantic/genai-prices'],
  });
}

async function child(name) {
  const { BasicTracerProvider, SimpleSpanProcessor } = await import('@opentelemetry/sdk-trace-base');
  const { createRequire } = await import('node:module');
  const require = createRequire(import.meta.url);
  // Spans are built and handed to an exporter that drops them: the cost of tracing, not of I/O.
  const exporter = {
    export: (_spans, done) => done({ code: 0 }),
    shutdown: async () => {},
    forceFlush: async () => {},
  };
  const processors = [new SimpleSpanProcessor(exporter)];
  let instrumentation;
  if (name === 'agentburn') {
    const { OpenAIInstrumentation, CostSpanProcessor } = await import(pathToFileURL(join(tmp, 'agentburn.mjs')).href);
    if (process.env.BENCH_WITHOUT_COST !== '1') processors.unshift(new CostSpanProcessor());
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
  // The API's no-op meter for all three. Setting it also re-creates instruments a subclass field
  // initialiser may have reset after the base constructor made them (the contrib package needs it).
  const { metrics } = await import('@opentelemetry/api');
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

  // Paired blocks: BLOCK calls instrumented, then BLOCK uninstrumented, repeated. Each block is
  // timed in wall time and in process CPU time (user + system, which a busy machine disturbs far
  // less). The overhead is the median over pairs of the per-call CPU difference, which cancels
  // drift (GC, JIT, frequency scaling).
  async function timeBlock(call, enabled) {
    enabled ? instrumentation.enable() : instrumentation.disable();
    const cpu = process.cpuUsage();
    const start = performance.now();
    for (let i = 0; i < BLOCK; i++) await call();
    const wallUs = ((performance.now() - start) * 1000) / BLOCK;
    const used = process.cpuUsage(cpu);
    return { wallUs, cpuUs: (used.user + used.system) / BLOCK };
  }

  async function measure(call, total) {
    for (let i = 0; i < 4; i++) await timeBlock(call, i % 2 === 0); // warm-up
    const on = [];
    const off = [];
    const cpuDiff = [];
    const wallDiff = [];
    for (let done = 0; done < total; done += BLOCK) {
      const first = done % (2 * BLOCK) === 0; // alternate which side goes first
      const a = await timeBlock(call, first);
      const b = await timeBlock(call, !first);
      const [x, y] = first ? [a, b] : [b, a];
      on.push(x);
      off.push(y);
      cpuDiff.push(x.cpuUs - y.cpuUs);
      wallDiff.push(x.wallUs - y.wallUs);
      server.requests.length = 0;
    }
    return {
      baseUs: median(off.map((b) => b.cpuUs)),
      instrumentedUs: median(on.map((b) => b.cpuUs)),
      overheadUs: median(cpuDiff),
      baseWallUs: median(off.map((b) => b.wallUs)),
      wallOverheadUs: median(wallDiff),
    };
  }

  const result = { nonStream: await measure(nonStream, CALLS), stream: await measure(stream, STREAM_CALLS) };
  await server.close();
  console.log(`RESULT ${JSON.stringify(result)}`);
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}
