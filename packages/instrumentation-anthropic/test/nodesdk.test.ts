import { CostSpanProcessor } from '@agentburn/core';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type FakeAnthropicServer, startAnthropicServer } from '../../../test/fakes/anthropic-server';
import { AnthropicInstrumentation } from '../src';
import { requireSdk } from './helpers';

// No exporter of NodeSDK's own choosing: every span goes to the in-memory one.
process.env.OTEL_TRACES_EXPORTER = 'none';
process.env.OTEL_METRICS_EXPORTER = 'none';
process.env.OTEL_LOGS_EXPORTER = 'none';

const exporter = new InMemorySpanExporter();
const sdk = new NodeSDK({
  instrumentations: [new AnthropicInstrumentation({ nativeTracing: 'disable' })],
  spanProcessors: [new CostSpanProcessor(), new SimpleSpanProcessor(exporter)],
});
sdk.start();

let fake: FakeAnthropicServer;
beforeAll(async () => {
  fake = await startAnthropicServer();
});
afterAll(async () => {
  await fake.close();
  await sdk.shutdown();
});

it('loads-with-NodeSDK', async () => {
  const { Anthropic } = requireSdk();
  const client = new Anthropic({ apiKey: 'sk-test', baseURL: fake.url, maxRetries: 0 });
  await client.messages.create({
    model: 'claude-haiku-4-5',
    max_tokens: 16,
    messages: [{ role: 'user', content: 'hi' }],
  });
  // NodeSDK's resource detectors are asynchronous; the export waits for them (a generous bound: a busy machine is slow).
  const deadline = Date.now() + 10_000;
  while (exporter.getFinishedSpans().length === 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 5));
  }
  const spans = exporter.getFinishedSpans();
  // NodeSDK registers a global provider, so the SDK's own tracing would be live: `disable` leaves one span, ours.
  expect(spans.map((s) => s.name)).toEqual(['chat claude-haiku-4-5']);
  // claude-haiku-4-5: 12 input x $1/M + 5 output x $5/M = 0.000012 + 0.000025 = 0.000037
  expect(spans[0]!.attributes.cost_usd).toBeCloseTo(0.000037, 12);
});
