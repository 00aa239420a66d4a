import { trace } from '@opentelemetry/api';
import { AggregationTemporality, MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  anthropicMessage,
  anthropicStreamEvents,
  type FakeAnthropicServer,
  startAnthropicServer,
} from '../../../test/fakes/anthropic-server';
import { requireSdk, setupTracing, spansEnded } from './helpers';

// The SDK's own tracing goes to the global tracer provider: register ours there.
const tracing = setupTracing();
trace.setGlobalTracerProvider(tracing.provider);
const { Anthropic } = requireSdk();

class TestReader extends MetricReader {
  constructor() {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
  }
  protected override async onForceFlush() {}
  protected override async onShutdown() {}
}

const MODEL = 'claude-sonnet-4-6';
const PARAMS = { model: MODEL, max_tokens: 64, messages: [{ role: 'user', content: 'Say hi' }] };
const USAGE = {
  input_tokens: 1000,
  cache_read_input_tokens: 2000,
  cache_creation_input_tokens: 3000,
  cache_creation: { ephemeral_5m_input_tokens: 1000, ephemeral_1h_input_tokens: 2000 },
  output_tokens: 500,
};
// claude-sonnet-4-6, USD per million tokens: input 3, output 15, cache read 0.3, write 5m 3.75, write 1h 6.
// 1000 x 3 + 2000 x 0.3 + 1000 x 3.75 + 2000 x 6 + 500 x 15 = 3000 + 600 + 3750 + 12000 + 7500 = 26850 -> 0.02685
const COST = 0.02685;
const message = () => anthropicMessage({ id: 'msg_native', model: MODEL, text: 'Hi!', usage: USAGE });

let fake: FakeAnthropicServer;
beforeAll(async () => {
  fake = await startAnthropicServer();
});
afterEach(() => {
  fake.reset();
  tracing.exporter.reset();
  tracing.instrumentation.setConfig({});
});
afterAll(async () => {
  await fake.close();
  trace.disable();
  await tracing.provider.shutdown();
});

const newClient = () => new Anthropic({ apiKey: 'sk-test-key', baseURL: fake.url, maxRetries: 0 });

describe('native tracing on (the default of recent SDK versions)', () => {
  it('defers-to-native-tracing', async () => {
    const client = newClient();
    fake.reply({ json: message() });
    await client.messages.create(PARAMS);
    const spans = await spansEnded(tracing, 1);
    expect(spans).toHaveLength(1);
    const [span] = spans;
    expect(span!.name).toBe('anthropic.messages.create');
    expect(span!.instrumentationScope.name).toBe('com.anthropic.sdk.typescript');
    // The SDK's own input count is already cache-inclusive: 1000 + 2000 + 3000.
    expect(span!.attributes['gen_ai.usage.input_tokens']).toBe(6000);
    // Priced once, by the CostSpanProcessor's anthropic-native reader.
    expect(span!.attributes.cost_usd).toBeCloseTo(COST, 12);
  });

  it('prices-compaction-iterations-on-native-span-as-estimated', async () => {
    const client = newClient();
    const usage = {
      input_tokens: 2000,
      cache_read_input_tokens: 0,
      cache_creation_input_tokens: 0,
      output_tokens: 500,
      iterations: [
        {
          type: 'compaction',
          input_tokens: 1000,
          cache_read_input_tokens: 150000,
          cache_creation_input_tokens: 0,
          output_tokens: 3000,
        },
        {
          type: 'message',
          input_tokens: 2000,
          cache_read_input_tokens: 0,
          cache_creation_input_tokens: 0,
          output_tokens: 500,
        },
      ],
    };
    fake.reply({ json: anthropicMessage({ id: 'msg_compacted', model: MODEL, text: 'Done.', usage }) });
    await client.messages.create(PARAMS);
    const [span] = await spansEnded(tracing, 1);
    expect(span!.name).toBe('anthropic.messages.create');
    // The SDK sums the compaction's input kinds into one figure: 1000 + 150000 + 0.
    expect(span!.attributes['anthropic.usage.compaction.input_tokens']).toBe(151000);
    // Priced as cache reads, the kind a compaction mostly reads:
    //   message input 2000 x 3 = 6000; compaction input 151000 x 0.3 = 45300;
    //   output (500 + 3000) x 15 = 52500; total 103800 -> 0.1038 (billed: 0.1065).
    // At the uncached price it read 0.5115, 4.8x too high.
    expect(span!.attributes.cost_usd).toBe(0.1038);
    expect(span!.attributes['agentburn.cost.estimated']).toBe(true);
  });

  it('defers-to-native-tracing-for-streams', async () => {
    const client = newClient();
    fake.reply({ sse: anthropicStreamEvents(message()) }, { sse: anthropicStreamEvents(message()) });
    const stream = await client.messages.create({ ...PARAMS, stream: true });
    for await (const _ of stream) {
      // read it all
    }
    await client.messages.stream(PARAMS).finalMessage();
    const spans = await spansEnded(tracing, 2);
    expect(spans.map((s) => s.name)).toEqual(['anthropic.messages.create', 'anthropic.messages.create']);
    for (const span of spans) expect(span.attributes.cost_usd).toBeCloseTo(COST, 12);
  });

  it('records-metrics-when-deferring', async () => {
    const reader = new TestReader();
    const meterProvider = new MeterProvider({ readers: [reader] });
    tracing.instrumentation.setMeterProvider(meterProvider);
    try {
      fake.reply({ json: message() });
      await newClient().messages.create(PARAMS);
      await spansEnded(tracing, 1);
      const { resourceMetrics } = await reader.collect();
      const metrics = resourceMetrics.scopeMetrics.flatMap((scope) => scope.metrics);
      const tokens = metrics.find((m) => m.descriptor.name === 'gen_ai.client.token.usage');
      const sums = Object.fromEntries(
        (tokens?.dataPoints ?? []).map((p) => [p.attributes['gen_ai.token.type'], (p.value as { sum: number }).sum]),
      );
      expect(sums).toEqual({ input: 6000, output: 500 });
      const duration = metrics.find((m) => m.descriptor.name === 'gen_ai.client.operation.duration');
      expect(duration?.dataPoints).toHaveLength(1);
      expect(duration?.dataPoints[0]?.attributes).toMatchObject({
        'gen_ai.provider.name': 'anthropic',
        'gen_ai.request.model': MODEL,
        'gen_ai.response.model': MODEL,
      });
    } finally {
      await meterProvider.shutdown();
    }
  });

  it('disables-native-tracing', async () => {
    tracing.instrumentation.setConfig({ nativeTracing: 'disable' });
    const client = newClient();
    fake.reply({ json: message() });
    await client.messages.create(PARAMS);
    const spans = await spansEnded(tracing, 1);
    expect(spans).toHaveLength(1);
    expect(spans[0]!.name).toBe(`chat ${MODEL}`);
    expect(spans[0]!.instrumentationScope.name).toBe('@agentburn/instrumentation-anthropic');
    expect(spans[0]!.attributes.cost_usd).toBeCloseTo(COST, 12);
  });

  it('disables-native-tracing-only-for-messages-calls', async () => {
    tracing.instrumentation.setConfig({ nativeTracing: 'disable' });
    const client = newClient();
    fake.reply({ json: message() });
    await client.messages.create(PARAMS);
    // The client's other calls keep the SDK's own spans.
    await client.messages.countTokens(PARAMS);
    const spans = await spansEnded(tracing, 2);
    expect(spans.map((s) => s.name)).toEqual([`chat ${MODEL}`, 'anthropic.messages.count_tokens']);
    expect(spans[1]!.attributes.cost_usd).toBeUndefined();
  });

  it('disables-native-tracing-for-message-stream', async () => {
    tracing.instrumentation.setConfig({ nativeTracing: 'disable' });
    // A fresh client whose first call is a stream helper, which starts the SDK's span before create().
    const client = newClient();
    fake.reply({ sse: anthropicStreamEvents(message()) });
    await client.messages.stream(PARAMS).finalMessage();
    const spans = await spansEnded(tracing, 1);
    expect(spans.map((s) => s.name)).toEqual([`chat ${MODEL}`]);
    expect(spans[0]!.attributes.cost_usd).toBeCloseTo(COST, 12);
  });

  it('emits-own-span-when-client-opts-out-of-native-tracing', async () => {
    const client = new Anthropic({ apiKey: 'sk-test-key', baseURL: fake.url, maxRetries: 0, openTelemetry: false });
    fake.reply({ json: message() });
    await client.messages.create(PARAMS);
    const spans = await spansEnded(tracing, 1);
    expect(spans.map((s) => s.name)).toEqual([`chat ${MODEL}`]);
  });
});
