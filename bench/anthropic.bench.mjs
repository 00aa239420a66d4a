// Per-call overhead of tracing @anthropic-ai/sdk, in microseconds: agentburn's
// AnthropicInstrumentation (with its CostSpanProcessor) next to the SDK's own
// OpenTelemetry tracing, both against uninstrumented calls. One process, an
// in-process fake Anthropic server (real HTTP, real SSE; by default each
// distinct request reaches it once and is then answered from memory, see
// `benchFetch`, BENCH_TRANSPORT=http for every call over HTTP), blocks of calls
// rotating between the three modes so all medians share the same warm-up.
// Overhead = median(mode) - median(uninstrumented).
//
//   node bench/anthropic.bench.mjs          (BENCH_CALLS=... to change the sample size)
import { createRequire } from 'node:module';
import { bundleForBench } from './lib/bundle.mjs';
import { allocationMeter, benchFetch, countingExporter, machine, median } from './lib/measure.mjs';

const CALLS = Number(process.env.BENCH_CALLS ?? 3000);
const STREAM_CALLS = Math.max(100, Math.round(CALLS / 5));
const STREAM_CHUNKS = 100;
const BLOCK = 50;

const { fakeUrl, sourcesUrl } = await bundleForBench({
  fake: 'anthropic-server.ts',
  fakeOut: 'anthropic-fake.mjs',
  packageDir: 'instrumentation-anthropic',
  instrumentationClass: 'AnthropicInstrumentation',
  sourcesOut: 'anthropic-agentburn.mjs',
  external: ['@opentelemetry/*', '@anthropic-ai/sdk', '@anthropic-ai/sdk/*', '@pydantic/genai-prices', 'yaml'],
});
const { AnthropicInstrumentation, CostSpanProcessor } = await import(sourcesUrl);
const { startAnthropicServer } = await import(fakeUrl);
const { trace, metrics } = await import('@opentelemetry/api');
const { BasicTracerProvider, SimpleSpanProcessor } = await import('@opentelemetry/sdk-trace-base');

// Spans are built, priced and handed to an exporter that drops them.
const exporter = countingExporter();
const provider = new BasicTracerProvider({
  spanProcessors: [new CostSpanProcessor(), new SimpleSpanProcessor(exporter)],
});
// The SDK's own tracing uses the global provider.
trace.setGlobalTracerProvider(provider);
const instrumentation = new AnthropicInstrumentation({ nativeTracing: 'disable' });
instrumentation.setTracerProvider(provider);
instrumentation.setMeterProvider(metrics.getMeterProvider());
const { Anthropic } = createRequire(import.meta.url)('@anthropic-ai/sdk');

const server = await startAnthropicServer();
server.defaults.text = 'x'.repeat(STREAM_CHUNKS * 4);
server.defaults.streamChunks = STREAM_CHUNKS;
const options = { apiKey: 'sk-bench', baseURL: server.url, maxRetries: 0, fetch: benchFetch() };
const plain = new Anthropic({ ...options, openTelemetry: false });
const nativelyTraced = new Anthropic(options);

const MODES = {
  off: { label: 'uninstrumented', client: plain, enabled: false },
  agentburn: { label: '@agentburn/instrumentation-anthropic (+ CostSpanProcessor)', client: plain, enabled: true },
  native: { label: '@anthropic-ai/sdk native tracing (+ CostSpanProcessor)', client: nativelyTraced, enabled: false },
};
const params = { model: 'claude-sonnet-4-6', max_tokens: 256, messages: [{ role: 'user', content: 'Say hello.' }] };
const nonStream = (client) => client.messages.create(params);
const stream = async (client) => {
  const s = await client.messages.create({ ...params, stream: true });
  for await (const _ of s);
};

const allocation = await allocationMeter();

async function measure(call, total) {
  const samples = Object.fromEntries(Object.keys(MODES).map((mode) => [mode, []]));
  // Bytes allocated per mode over its recorded blocks (deterministic, unlike time).
  const bytes = Object.fromEntries(Object.keys(MODES).map((mode) => [mode, 0]));
  const run = async (mode, record) => {
    const { client, enabled } = MODES[mode];
    enabled ? instrumentation.enable() : instrumentation.disable();
    allocation.start();
    for (let i = 0; i < BLOCK; i++) {
      const start = performance.now();
      await call(client);
      if (record) samples[mode].push((performance.now() - start) * 1000);
    }
    const allocated = allocation.stop();
    if (record) bytes[mode] += allocated;
  };
  for (const mode of Object.keys(MODES)) await run(mode, false); // warm-up
  for (let done = 0; done < total; done += BLOCK) {
    for (const mode of Object.keys(MODES)) await run(mode, true);
    server.requests.length = 0;
  }
  const base = median(samples.off);
  return Object.fromEntries(
    Object.keys(MODES).map((mode) => [
      mode,
      {
        medianUs: median(samples[mode]),
        overheadUs: median(samples[mode]) - base,
        bytesPerCall: bytes[mode] / samples[mode].length,
        bytesOverhead: (bytes[mode] - bytes.off) / samples[mode].length,
      },
    ]),
  );
}

const results = { nonStream: await measure(nonStream, CALLS), stream: await measure(stream, STREAM_CALLS) };
await server.close();
await provider.shutdown();

console.log(machine());
console.log(
  `Samples: ${CALLS} non-stream and ${STREAM_CALLS} stream calls (${STREAM_CHUNKS} deltas) per mode; transport ${process.env.BENCH_TRANSPORT ?? 'memory'}`,
);
// Two traced modes, one span per call (warm-up blocks included): a check that both really traced.
const expected = 2 * (CALLS + STREAM_CALLS + 2 * BLOCK);
console.log(`Spans exported: ${exporter.exported} (expected ${expected})\n`);
if (exporter.exported !== expected) process.exitCode = 1;
console.log('| tracing | kind | median µs | overhead µs | bytes/call | bytes overhead |');
console.log('|---|---|---:|---:|---:|---:|');
for (const kind of ['nonStream', 'stream']) {
  for (const [mode, { label }] of Object.entries(MODES)) {
    const r = results[kind][mode];
    const kindLabel = kind === 'stream' ? `stream (${STREAM_CHUNKS} deltas)` : 'non-stream';
    console.log(
      `| ${label} | ${kindLabel} | ${r.medianUs.toFixed(1)} | ${mode === 'off' ? '-' : r.overheadUs.toFixed(1)} | ` +
        `${Math.round(r.bytesPerCall)} | ${mode === 'off' ? '-' : Math.round(r.bytesOverhead)} |`,
    );
  }
}
