// Per-call overhead of tracing @google/genai, in microseconds: agentburn's
// GoogleGenAIInstrumentation (with its CostSpanProcessor) against
// uninstrumented calls. One process, an in-process fake Gemini API (real
// HTTP, real SSE), blocks of calls rotating between the two modes.
// Cost = CPU time per call (median over blocks); overhead = agentburn's minus
// uninstrumented's.
//
//   node bench/gemini.bench.mjs          (BENCH_CALLS=... to change the sample size)
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { bundleForBench, root } from './lib/bundle.mjs';
import { countingExporter, machine } from './lib/measure.mjs';
import { printRows, rotateModes } from './lib/rotate.mjs';

const CALLS = Number(process.env.BENCH_CALLS ?? 3000);
const STREAM_CALLS = Math.max(100, Math.round(CALLS / 5));
const STREAM_CHUNKS = 100;
const BLOCK = 50;

const { fakeUrl, sourcesUrl } = await bundleForBench({
  fake: 'gemini-server.ts',
  fakeOut: 'gemini-fake.mjs',
  packageDir: 'instrumentation-google-genai',
  instrumentationClass: 'GoogleGenAIInstrumentation',
  sourcesOut: 'gemini-agentburn.mjs',
  external: ['@opentelemetry/*', '@google/genai', '@pydantic/genai-prices', 'yaml'],
});
const { GoogleGenAIInstrumentation, CostSpanProcessor } = await import(sourcesUrl);
const { startGeminiServer } = await import(fakeUrl);
const { metrics } = await import('@opentelemetry/api');
const { BasicTracerProvider, SimpleSpanProcessor } = await import('@opentelemetry/sdk-trace-base');

// Spans are built, priced and handed to an exporter that drops them.
const exporter = countingExporter();
const provider = new BasicTracerProvider({
  spanProcessors: [new CostSpanProcessor(), new SimpleSpanProcessor(exporter)],
});
const instrumentation = new GoogleGenAIInstrumentation();
instrumentation.setTracerProvider(provider);
instrumentation.setMeterProvider(metrics.getMeterProvider());
const require = createRequire(import.meta.url);
const { GoogleGenAI } = require('@google/genai');
// The package exports no `./package.json`.
const { version } = JSON.parse(readFileSync(join(root, 'node_modules/@google/genai/package.json'), 'utf8'));

const server = await startGeminiServer();
server.defaults.text = 'x'.repeat(STREAM_CHUNKS * 4);
server.defaults.streamChunks = STREAM_CHUNKS;
server.defaults.usage = {
  promptTokenCount: 1200,
  cachedContentTokenCount: 1024,
  candidatesTokenCount: 100,
  thoughtsTokenCount: 50,
};
const ai = new GoogleGenAI({ apiKey: 'bench-key', httpOptions: { baseUrl: server.url } });

const MODES = {
  off: { setUp: () => instrumentation.disable() },
  agentburn: { setUp: () => instrumentation.enable() },
};
const LABELS = {
  off: 'uninstrumented',
  agentburn: '@agentburn/instrumentation-google-genai (+ CostSpanProcessor)',
};
const params = { model: 'gemini-2.5-flash', contents: 'Say hello.' };
const afterRound = () => {
  server.requests.length = 0;
};
const nonStream = await rotateModes({
  modes: MODES,
  call: () => ai.models.generateContent(params),
  total: CALLS,
  block: BLOCK,
  afterRound,
});
const stream = await rotateModes({
  modes: MODES,
  call: async () => {
    for await (const _ of await ai.models.generateContentStream(params));
  },
  total: STREAM_CALLS,
  block: BLOCK,
  afterRound,
});
await server.close();
await provider.shutdown();

console.log(machine());
console.log(`@google/genai ${version}`);
console.log(`Samples: ${CALLS} non-stream and ${STREAM_CALLS} stream calls (${STREAM_CHUNKS} chunks) per mode`);
// One traced mode, one span per call (warm-up blocks included): a check that it really traced.
const expected = CALLS + STREAM_CALLS + 2 * BLOCK;
console.log(`Spans exported: ${exporter.exported} (expected ${expected})\n`);
if (exporter.exported !== expected) process.exitCode = 1;
console.log('| tracing | kind | CPU µs per call | overhead µs |');
console.log('|---|---|---:|---:|');
printRows(LABELS, 'generateContent', nonStream);
printRows(LABELS, `generateContentStream (${STREAM_CHUNKS} chunks)`, stream);
