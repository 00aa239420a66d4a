// Per-call CPU cost of OpenAI instrumentations: @agentburn/instrumentation-openai
// (with and without the CostSpanProcessor), @opentelemetry/instrumentation-openai
// and @traceloop/instrumentation-openai, against uninstrumented calls. The
// `floor` variant wraps each call in a bare span that carries the very
// attribute names our priced span carries (the run fails if they differ): what
// the contract's attributes cost in the OTel SDK, whoever writes them.
//
// Every variant runs in its own child process, as an application would: the
// instrumentation is created (and so enabled) once, before the `openai` SDK is
// loaded, and never toggled; the baseline loads no instrumentation at all. A
// child drives the real SDK against an in-process fake OpenAI server (real
// HTTP, real SSE; by default each distinct request reaches it once and is then
// answered from memory, see `benchFetch`), warms up, and then times one long run of calls per kind in
// process CPU time (user + system: waiting for a core on a shared machine
// inflates wall time, not CPU time), so garbage collection is paid for in the
// proportion the variant causes it. The children run in interleaved rounds
// (A B C D E, A B C D E, ...) so a change of machine load hits all variants
// alike; a variant's figure is the median of its processes and its overhead
// that median minus the baseline's. Every traced call must export exactly one
// span, or the run fails. Besides CPU time, each child reports the bytes its
// timed calls allocated (deterministic, unlike time on a shared machine).
//
//   node bench/openai.bench.mjs
//   BENCH_CALLS        timed non-stream calls per process (default 5000)
//   BENCH_STREAM_CALLS timed stream calls per process (default BENCH_CALLS / 5)
//   BENCH_ROUNDS       processes per variant (default 5)
//   BENCH_TRANSPORT    memory (default: the fake's recorded answer, no socket) or http (every call over HTTP)
//   BENCH_SHAPE        call (default: each call its own trace) or task (each call under a task span that
//                      every traced variant creates, so the trace rollup lands on the task, not the call)
//   BENCH_PROFILE      1 (default): each process also runs its non-stream calls once more under the
//                      CPU profiler, for the table of where a call's CPU goes (lib/components.mjs); 0 skips it
//   BENCH_NODE_FLAGS   node flags for every child alike (default --single-threaded: GC and
//                      compilation on the main thread, so no helper threads add noise to CPU time)
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { bundleForBench, tmp } from './lib/bundle.mjs';
import { componentTable, profileComponents } from './lib/components.mjs';
import { allocationMeter, benchFetch, countingExporter, machine, median } from './lib/measure.mjs';

const CALLS = Number(process.env.BENCH_CALLS ?? 5000);
const STREAM_CALLS = Number(process.env.BENCH_STREAM_CALLS ?? Math.max(100, Math.round(CALLS / 5)));
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const NODE_FLAGS = (process.env.BENCH_NODE_FLAGS ?? '--single-threaded').split(/\s+/).filter(Boolean);
// Warm-up per kind: enough calls for the JIT to settle on every variant's hot paths.
const WARMUP = Math.max(100, Math.round(CALLS / 5));
const STREAM_WARMUP = Math.max(50, Math.round(STREAM_CALLS / 5));
const STREAM_CHUNKS = 100;
const KINDS = ['nonStream', 'stream'];
const PROFILE = process.env.BENCH_PROFILE !== '0';
/** `call`: every call is its own trace, so the rollup lands on its span; `task`: every call runs under a task span, as an agent's do. */
const SHAPE = process.env.BENCH_SHAPE ?? 'call';
if (SHAPE !== 'call' && SHAPE !== 'task') throw new Error(`BENCH_SHAPE must be call or task, not ${SHAPE}`);
const COMPONENTS = {
  host: 'the openai SDK, its fetch and the bench loop',
  gc: 'garbage collection',
  otelSdk: 'OTel SDK (span, attributes, processors)',
  otelApi: 'OTel API and core (context, attribute checks)',
  agentburn: '@agentburn instrumentation and CostSpanProcessor',
  peer: "the peer instrumentation's own code",
  other: 'other (V8, Node internals)',
};

const VARIANTS = {
  baseline: 'uninstrumented',
  floor: 'a bare span with the same attributes (no instrumentation, no pricing)',
  agentburn: '@agentburn/instrumentation-openai + CostSpanProcessor',
  'agentburn-alone': '@agentburn/instrumentation-openai alone',
  otel: '@opentelemetry/instrumentation-openai 0.21',
  traceloop: '@traceloop/instrumentation-openai 0.27',
};

// What agentburn with its CostSpanProcessor writes on this bench's priced chat
// call: five names at the start, as the GenAI conventions ask for sampling, the
// rest at the end, and the trace rollup on the local root (the call itself when
// it is its own trace, else the task).
const FLOOR_START = {
  'gen_ai.operation.name': 'chat',
  'gen_ai.provider.name': 'openai',
  'server.address': '127.0.0.1',
  'server.port': 8080,
  'gen_ai.request.model': 'gpt-4o',
};
const FLOOR_END = {
  'gen_ai.response.id': 'chatcmpl-fake-1',
  'gen_ai.response.model': 'gpt-4o',
  'gen_ai.response.finish_reasons': ['stop'],
  'gen_ai.usage.input_tokens': 12,
  'gen_ai.usage.output_tokens': 5,
  'gen_ai.usage.cache_read.input_tokens': 0,
  'gen_ai.usage.reasoning.output_tokens': 0,
  cost_usd: 0.00008,
  'agentburn.cost.status': 'priced',
  'agentburn.cost.input_usd': 0.00003,
  'agentburn.cost.output_usd': 0.00005,
  'agentburn.pricing.source': 'genai-prices',
  'agentburn.pricing.model': 'gpt-4o',
  'agentburn.pricing.version': '0.1.8',
};
const FLOOR_ROLLUP = {
  'agentburn.trace.cost_usd': 0.00008,
  'agentburn.trace.llm_cost_usd': 0.00008,
  'agentburn.trace.compute_cost_usd': 0,
  'agentburn.trace.llm_calls': 1,
  'agentburn.trace.sandbox_runs': 0,
  'agentburn.trace.unpriced_spans': 0,
  'agentburn.trace.complete': true,
};

const FLOOR_STREAM_START = { ...FLOOR_START, 'gen_ai.request.stream': true };

async function inFloorSpan(tracer, start, call) {
  const span = tracer.startSpan('chat gpt-4o', { kind: 2, attributes: start });
  const result = await call();
  span.setAttributes(FLOOR_END);
  if (SHAPE === 'call') span.setAttributes(FLOOR_ROLLUP);
  span.end();
  return result;
}

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
  const started = performance.now();
  const runs = Object.fromEntries(Object.keys(VARIANTS).map((name) => [name, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const name of Object.keys(VARIANTS)) {
      const run = spawnSync(
        process.execPath,
        ['--expose-gc', ...NODE_FLAGS, fileURLToPath(import.meta.url), '--child', name],
        { encoding: 'utf8' },
      );
      const line = run.stdout.split('\n').find((l) => l.startsWith('RESULT '));
      if (run.status !== 0 || !line) {
        console.error(`${name} failed:\n${run.stderr}`);
        process.exitCode = 1;
        return;
      }
      runs[name].push(JSON.parse(line.slice(7)));
    }
  }
  const seconds = (performance.now() - started) / 1000;
  for (const kind of KINDS) {
    const keys = (name) => JSON.stringify(runs[name][0][kind].spanKeys);
    if (keys('floor') !== keys('agentburn')) {
      console.error(
        `${kind}: the floor span's attributes differ from agentburn's:\n${keys('floor')}\n${keys('agentburn')}`,
      );
      process.exitCode = 1;
      return;
    }
  }

  const med = (name, kind, field) => median(runs[name].map((r) => r[kind][field]));
  const overhead = (name, kind, field = 'cpuUs') => med(name, kind, field) - med('baseline', kind, field);
  // The same difference taken within each round, then the median: a check that drift of the
  // machine's speed between rounds did not make or hide an overhead.
  const paired = (name, kind) => median(runs[name].map((r, i) => r[kind].cpuUs - runs.baseline[i][kind].cpuUs));
  const lightest = (kind) => Math.min(overhead('otel', kind), overhead('traceloop', kind));
  const ratio = (value, kind) => (lightest(kind) > 0 ? `${(value / lightest(kind)).toFixed(2)}x` : 'n/a');

  console.log(machine());
  console.log(
    `Per process: ${WARMUP} + ${CALLS} non-stream and ${STREAM_WARMUP} + ${STREAM_CALLS} stream calls (${STREAM_CHUNKS} chunks), warm-up + timed; ` +
      `${ROUNDS} processes per variant; transport ${process.env.BENCH_TRANSPORT ?? 'memory'}; shape ${SHAPE}; node flags: ${['--expose-gc', ...NODE_FLAGS].join(' ')}; ${seconds.toFixed(0)} s\n`,
  );
  console.log(
    '| instrumentation | call | CPU µs/call | CPU overhead µs | vs lightest peer | paired overhead µs | wall overhead µs | bytes/call | bytes overhead | CPU µs/call per process |',
  );
  console.log('|---|---|---:|---:|---:|---:|---:|---:|---:|---|');
  for (const kind of KINDS) {
    const call = kind === 'stream' ? `stream (${STREAM_CHUNKS} chunks)` : 'non-stream';
    for (const [name, label] of Object.entries(VARIANTS)) {
      const base = name === 'baseline';
      const cells = [
        label,
        call,
        med(name, kind, 'cpuUs').toFixed(1),
        base ? '-' : overhead(name, kind).toFixed(1),
        base ? '-' : ratio(overhead(name, kind), kind),
        base ? '-' : paired(name, kind).toFixed(1),
        base ? '-' : overhead(name, kind, 'wallUs').toFixed(1),
        Math.round(med(name, kind, 'bytes')),
        base ? '-' : Math.round(overhead(name, kind, 'bytes')),
        runs[name].map((r) => r[kind].cpuUs.toFixed(1)).join(' / '),
      ];
      console.log(`| ${cells.join(' | ')} |`);
    }
  }
  console.log('');
  // What a chunk costs: the stream call's overhead beyond the non-stream call's, spread over its chunks.
  const perChunk = (name) => (overhead(name, 'stream') - overhead(name, 'nonStream')) / STREAM_CHUNKS;
  console.log(
    `per chunk above uninstrumented: agentburn ${perChunk('agentburn').toFixed(3)} µs (target 0.3), ` +
      `contrib ${perChunk('otel').toFixed(3)} µs, traceloop ${perChunk('traceloop').toFixed(3)} µs`,
  );
  if (PROFILE) {
    const totals = Object.fromEntries(
      KINDS.map((kind) => [kind, printComponents(runs, kind, med('baseline', kind, 'cpuUs'))]),
    );
    // Per chunk from the profiles: the stream call's added CPU beyond the non-stream call's, over its chunks.
    const added = (kind, name) => totals[kind][name] - totals[kind].baseline;
    const chunk = (name) => ((added('stream', name) - added('nonStream', name)) / STREAM_CHUNKS).toFixed(3);
    console.log(
      `per chunk (profiles): agentburn ${chunk('agentburn')} µs (target 0.3), instrumentation alone ${chunk('agentburn-alone')}, ` +
        `contrib ${chunk('otel')}, traceloop ${chunk('traceloop')}, floor ${chunk('floor')}\n`,
    );
  }
  for (const kind of KINDS) {
    const ours = overhead('agentburn', kind);
    const alone = overhead('agentburn-alone', kind);
    const peer = lightest(kind);
    const verdict = ours <= peer ? 'meets' : 'misses';
    console.log(
      `${kind}: agentburn ${ours.toFixed(1)} µs (instrumentation alone ${alone.toFixed(1)} µs, CostSpanProcessor ${(ours - alone).toFixed(1)} µs) ` +
        `vs lightest peer ${peer.toFixed(1)} µs: ${verdict} the target`,
    );
    const floor = overhead('floor', kind);
    console.log(
      `${kind}: the floor (a bare span with the same attributes) costs ${floor.toFixed(1)} µs and ` +
        `${Math.round(overhead('floor', kind, 'bytes'))} bytes; agentburn's own code adds ${(ours - floor).toFixed(1)} µs and ` +
        `${Math.round(overhead('agentburn', kind, 'bytes') - overhead('floor', kind, 'bytes'))} bytes above it`,
    );
    const bytes = overhead('agentburn', kind, 'bytes');
    const peerBytes = Math.min(overhead('otel', kind, 'bytes'), overhead('traceloop', kind, 'bytes'));
    console.log(
      `${kind}: agentburn allocates ${Math.round(bytes)} bytes/call more than uninstrumented, lightest peer ${Math.round(peerBytes)}: ` +
        `${bytes <= peerBytes ? 'meets' : 'misses'} the garbage target`,
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
  } else if (name === 'traceloop') {
    const { OpenAIInstrumentation } = require('@traceloop/instrumentation-openai');
    // Content off, as the other two default to.
    instrumentation = new OpenAIInstrumentation({ traceContent: false });
  } else if (name !== 'baseline' && name !== 'floor') throw new Error(`unknown variant ${name}`);
  const provider = name === 'baseline' ? undefined : new BasicTracerProvider({ spanProcessors: processors });
  // The constructor enabled the instrumentation (its hook waits for `openai`); it stays enabled.
  instrumentation?.setTracerProvider(provider);
  // The API's no-op meter for all three. Setting it also re-creates instruments that a subclass
  // field initialiser may have reset after the base constructor made them (0.21 of the contrib
  // package crashes on streams without this).
  instrumentation?.setMeterProvider(metrics.getMeterProvider());

  const { OpenAI } = require('openai');
  const { startOpenAIServer } = await import(pathToFileURL(join(tmp, 'fake.mjs')).href);
  const server = await startOpenAIServer();
  server.defaults.streamChunks = STREAM_CHUNKS;
  const client = new OpenAI({ baseURL: server.url, apiKey: 'sk-bench', maxRetries: 0, fetch: benchFetch() });
  const messages = [{ role: 'user', content: 'Say hello.' }];
  let nonStream = () => client.chat.completions.create({ model: 'gpt-4o', messages });
  let stream = async () => {
    const s = await client.chat.completions.create({ model: 'gpt-4o', messages, stream: true });
    for await (const _ of s);
  };
  if (name === 'floor') {
    const floorTracer = provider.getTracer('floor');
    const plainNonStream = nonStream;
    const plainStream = stream;
    nonStream = () => inFloorSpan(floorTracer, FLOOR_START, plainNonStream);
    stream = () => inFloorSpan(floorTracer, FLOOR_STREAM_START, plainStream);
  }
  if (SHAPE === 'task' && provider) {
    const { context, trace } = require('@opentelemetry/api');
    // Context must follow the await into the SDK's call, as under the Node SDK.
    const { AsyncLocalStorageContextManager } = require('@opentelemetry/context-async-hooks');
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    const taskTracer = provider.getTracer('bench-task');
    const inTask = (call) => async () => {
      const task = taskTracer.startSpan('agent run');
      try {
        return await context.with(trace.setSpan(context.active(), task), call);
      } finally {
        if (name === 'floor') task.setAttributes(FLOOR_ROLLUP);
        task.end();
      }
    };
    nonStream = inTask(nonStream);
    stream = inTask(stream);
  }
  const spanKeys = () =>
    Object.fromEntries([...exporter.lastByName].map(([span, attributes]) => [span, Object.keys(attributes).sort()]));

  async function calls(call, count) {
    for (let i = 0; i < count; i++) {
      await call();
      if (i % 100 === 99) server.requests.length = 0; // the fake records every request
    }
    server.requests.length = 0;
  }

  const allocation = await allocationMeter();
  // One long timed run per kind, after its warm-up and a full collection, so
  // every run starts from the same heap and pays for the garbage it makes.
  async function measure(call, warmup, count) {
    await calls(call, warmup);
    globalThis.gc();
    allocation.start();
    const cpu = process.cpuUsage();
    const start = performance.now();
    await calls(call, count);
    const wallUs = ((performance.now() - start) * 1000) / count;
    const used = process.cpuUsage(cpu);
    const bytes = allocation.stop() / count;
    return { cpuUs: (used.user + used.system) / count, wallUs, bytes };
  }

  const result = {};
  result.nonStream = {
    ...(await measure(nonStream, WARMUP, CALLS)),
    spanKeys: spanKeys(),
  };
  result.stream = {
    ...(await measure(stream, STREAM_WARMUP, STREAM_CALLS)),
    spanKeys: spanKeys(),
  };
  if (PROFILE) {
    result.nonStream.components = await profileComponents(() => calls(nonStream, CALLS), component);
    result.stream.components = await profileComponents(() => calls(stream, STREAM_CALLS), component);
  }
  await server.close();
  const perProcess = WARMUP + CALLS + STREAM_WARMUP + STREAM_CALLS + (PROFILE ? CALLS + STREAM_CALLS : 0);
  const traced = provider === undefined ? 0 : perProcess * (SHAPE === 'task' ? 2 : 1);
  if (exporter.exported !== traced) throw new Error(`${name}: ${exporter.exported} spans for ${traced} traced calls`);
  console.log(`RESULT ${JSON.stringify(result)}`);
}

/** The component a profiled frame's script belongs to. */
function component(url) {
  if (url.includes('/bench/.tmp/agentburn.mjs')) return 'agentburn';
  if (url.includes('@traceloop/') || url.includes('@opentelemetry/instrumentation-openai/')) return 'peer';
  if (url.includes('@opentelemetry/sdk-trace')) return 'otelSdk';
  if (url.includes('@opentelemetry/')) return 'otelApi';
  if (url.includes('/node_modules/openai/') || url.includes('/bench/')) return 'host';
  return undefined;
}

/** Prints the component table of `kind`; returns each variant's total µs per call. */
function printComponents(runs, kind, baselineUs) {
  const table = componentTable(
    Object.fromEntries(Object.entries(runs).map(([name, results]) => [name, results.map((r) => r[kind].components)])),
    baselineUs,
  );
  const call = kind === 'stream' ? `${STREAM_CHUNKS}-chunk stream` : 'non-stream';
  const names = Object.keys(VARIANTS);
  console.log(
    `Where a ${call} call's CPU goes, µs per call by component (CPU profile of each process's calls, ` +
      'samples relative to the host work every variant shares, at the uninstrumented median speed):\n',
  );
  console.log(`| component | ${names.join(' | ')} |`);
  console.log(`|---|${names.map(() => '---:').join('|')}|`);
  for (const [key, label] of Object.entries(COMPONENTS)) {
    console.log(`| ${label} | ${names.map((name) => (table[name][key] ?? 0).toFixed(1)).join(' | ')} |`);
  }
  const total = (name) => Object.values(table[name]).reduce((a, b) => a + b, 0);
  console.log(`| total | ${names.map((name) => total(name).toFixed(1)).join(' | ')} |`);
  console.log(
    `| above uninstrumented | ${names.map((name) => (total(name) - total('baseline')).toFixed(1)).join(' | ')} |\n`,
  );
  return Object.fromEntries(names.map((name) => [name, total(name)]));
}
