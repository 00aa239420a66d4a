// Per-call overhead of tracing @aws-sdk/client-bedrock-runtime, in
// microseconds: agentburn's BedrockInstrumentation (with its
// CostSpanProcessor) against uninstrumented calls. One process, an
// in-process fake Bedrock Runtime (real HTTP/2, SigV4-signed requests, real
// event-stream frames), blocks of calls rotating between the two modes.
// Cost = CPU time per call (median over blocks); overhead = agentburn's minus
// uninstrumented's.
//
//   node bench/bedrock.bench.mjs          (BENCH_CALLS=... to change the sample size)
import { createRequire } from 'node:module';
import { bundleForBench } from './lib/bundle.mjs';
import { countingExporter, machine } from './lib/measure.mjs';
import { printRows, rotateModes } from './lib/rotate.mjs';

const CALLS = Number(process.env.BENCH_CALLS ?? 3000);
const STREAM_CALLS = Math.max(100, Math.round(CALLS / 5));
const STREAM_CHUNKS = 100;
const BLOCK = 50;

const { fakeUrl, sourcesUrl } = await bundleForBench({
  fake: 'bedrock-server.ts',
  fakeOut: 'bedrock-fake.mjs',
  packageDir: 'instrumentation-bedrock',
  instrumentationClass: 'BedrockInstrumentation',
  sourcesOut: 'bedrock-agentburn.mjs',
  external: ['@opentelemetry/*', '@aws-sdk/*', '@pydantic/genai-prices', 'yaml'],
});
const { BedrockInstrumentation, CostSpanProcessor } = await import(sourcesUrl);
const { startBedrockServer, converseResponse, converseStreamEvents } = await import(fakeUrl);
const { metrics } = await import('@opentelemetry/api');
const { BasicTracerProvider, SimpleSpanProcessor } = await import('@opentelemetry/sdk-trace-base');

const exporter = countingExporter();
const provider = new BasicTracerProvider({
  spanProcessors: [new CostSpanProcessor(), new SimpleSpanProcessor(exporter)],
});
const instrumentation = new BedrockInstrumentation();
instrumentation.setTracerProvider(provider);
instrumentation.setMeterProvider(metrics.getMeterProvider());
const require = createRequire(import.meta.url);
const sdk = require('@aws-sdk/client-bedrock-runtime');
const { version } = require('@aws-sdk/client-bedrock-runtime/package.json');

const server = await startBedrockServer();
const usage = { inputTokens: 200, cacheReadInputTokens: 1000, cacheWriteInputTokens: 0, outputTokens: 100 };
const text = 'x'.repeat(STREAM_CHUNKS * 4);
const client = new sdk.BedrockRuntimeClient({
  region: 'us-east-1',
  endpoint: server.url,
  credentials: { accessKeyId: 'AKIDBENCH', secretAccessKey: 'bench-secret' },
  maxAttempts: 1,
});

const MODES = {
  off: { setUp: () => instrumentation.disable() },
  agentburn: { setUp: () => instrumentation.enable() },
};
const LABELS = {
  off: 'uninstrumented',
  agentburn: '@agentburn/instrumentation-bedrock (+ CostSpanProcessor)',
};
const input = {
  modelId: 'us.anthropic.claude-sonnet-4-20250514-v1:0',
  messages: [{ role: 'user', content: [{ text: 'Say hello.' }] }],
};
const afterRound = () => {
  server.requests.length = 0;
};
const converseBody = converseResponse({ text: 'Hello.', usage });
const streamEvents = converseStreamEvents({ text, usage }, STREAM_CHUNKS);
const converse = await rotateModes({
  modes: MODES,
  call: () => {
    server.reply({ json: converseBody });
    return client.send(new sdk.ConverseCommand(input));
  },
  total: CALLS,
  block: BLOCK,
  afterRound,
});
const converseStream = await rotateModes({
  modes: MODES,
  call: async () => {
    server.reply({ events: streamEvents });
    const { stream } = await client.send(new sdk.ConverseStreamCommand(input));
    for await (const _ of stream);
  },
  total: STREAM_CALLS,
  block: BLOCK,
  afterRound,
});
client.destroy();
await server.close();
await provider.shutdown();

console.log(machine());
console.log(`@aws-sdk/client-bedrock-runtime ${version}`);
console.log(`Samples: ${CALLS} Converse and ${STREAM_CALLS} ConverseStream calls (${STREAM_CHUNKS} deltas) per mode`);
const expected = CALLS + STREAM_CALLS + 2 * BLOCK;
console.log(`Spans exported: ${exporter.exported} (expected ${expected})\n`);
if (exporter.exported !== expected) process.exitCode = 1;
console.log('| tracing | kind | CPU µs per call | overhead µs |');
console.log('|---|---|---:|---:|');
printRows(LABELS, 'Converse', converse);
printRows(LABELS, `ConverseStream (${STREAM_CHUNKS} deltas)`, converseStream);
