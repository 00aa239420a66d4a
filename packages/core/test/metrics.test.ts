import {
  ATTR_AGENT_NAME,
  ATTR_COST_KIND,
  ATTR_ERROR_TYPE,
  ATTR_GEN_AI_AGENT_NAME,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_TOKEN_TYPE,
  CostSpanProcessor,
  GEN_AI_OPERATION_INVOKE_AGENT,
  METRIC_COST_USD,
  METRIC_GEN_AI_CLIENT_OPERATION_DURATION,
  METRIC_GEN_AI_CLIENT_TOKEN_USAGE,
  recordGenAiClientMetrics,
  SPAN_E2B_SANDBOX,
} from '@agentburn/core';
import type { Attributes } from '@opentelemetry/api';
import {
  AggregationTemporality,
  type DataPoint,
  type Histogram,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import { describe, expect, it } from 'vitest';
import { chatAttributes, sandboxAttributes } from './helpers/genai';
import { createTracing, endSpan } from './helpers/otel';

function meterSetup() {
  const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  // The interval never fires within a test; forceFlush() collects.
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
  const meterProvider = new MeterProvider({ readers: [reader] });
  async function points(name: string): Promise<DataPoint<unknown>[]> {
    await reader.forceFlush();
    const all =
      exporter
        .getMetrics()
        .at(-1)
        ?.scopeMetrics.flatMap((s) => s.metrics) ?? [];
    return all.filter((m) => m.descriptor.name === name).flatMap((m) => m.dataPoints as DataPoint<unknown>[]);
  }
  return { meterProvider, points, exporter };
}

const pointWith = (points: DataPoint<unknown>[], attributes: Attributes) =>
  points.find((p) => JSON.stringify(p.attributes) === JSON.stringify(attributes));

describe('cost_usd counter', () => {
  it('counts-llm-and-compute-spend-by-provider-model-agent-and-kind', async () => {
    const { meterProvider, points, exporter } = meterSetup();
    const { tracer } = createTracing([new CostSpanProcessor({ meterProvider })]);
    const agent = tracer.startSpan('invoke_agent coder', {
      attributes: { [ATTR_GEN_AI_OPERATION_NAME]: GEN_AI_OPERATION_INVOKE_AGENT, [ATTR_GEN_AI_AGENT_NAME]: 'coder' },
    });
    endSpan(tracer, 'chat gpt-4o', chatAttributes({ responseId: 'r1' }), agent); // 0.0045
    endSpan(tracer, 'chat gpt-4o', chatAttributes({ responseId: 'r2', input: 2000, output: 100 }), agent); // 0.006
    endSpan(tracer, SPAN_E2B_SANDBOX, sandboxAttributes(100), agent); // 0.003025
    endSpan(tracer, 'chat gpt-4o', chatAttributes({ responseId: 'r3' })); // 0.0045, no agent
    endSpan(tracer, 'chat mystery', chatAttributes({ model: 'mystery' })); // unpriced: not counted
    agent.end();

    const cost = await points(METRIC_COST_USD);
    const descriptor = exporter
      .getMetrics()
      .at(-1)!
      .scopeMetrics[0]!.metrics.find((m) => m.descriptor.name === METRIC_COST_USD)!.descriptor;
    expect(descriptor.unit).toBe('USD');
    expect(cost).toHaveLength(3);
    // gpt-4o: 1000 x 2.5e-6 + 200 x 10e-6 = 0.0045; 2000 x 2.5e-6 + 100 x 10e-6 = 0.006
    const coderLlm = pointWith(cost, {
      [ATTR_COST_KIND]: 'llm',
      [ATTR_GEN_AI_PROVIDER_NAME]: 'openai',
      [ATTR_GEN_AI_REQUEST_MODEL]: 'gpt-4o',
      [ATTR_AGENT_NAME]: 'coder',
    });
    expect(coderLlm?.value).toBeCloseTo(0.0105, 15);
    const noAgent = pointWith(cost, {
      [ATTR_COST_KIND]: 'llm',
      [ATTR_GEN_AI_PROVIDER_NAME]: 'openai',
      [ATTR_GEN_AI_REQUEST_MODEL]: 'gpt-4o',
    });
    expect(noAgent?.value).toBeCloseTo(0.0045, 15);
    // 100 s x (2 x 0.000014 + 0.5 x 0.0000045) = 0.003025
    const compute = pointWith(cost, {
      [ATTR_COST_KIND]: 'compute',
      [ATTR_GEN_AI_PROVIDER_NAME]: 'e2b',
      [ATTR_AGENT_NAME]: 'coder',
    });
    expect(compute?.value).toBeCloseTo(0.003025, 15);
    await meterProvider.shutdown();
  });

  it('counts-spend-under-the-agent-name-the-emitter-set', async () => {
    const { meterProvider, points } = meterSetup();
    const { tracer, span } = createTracing([new CostSpanProcessor({ meterProvider })]);
    const agent = tracer.startSpan('invoke_agent outer', {
      attributes: { [ATTR_GEN_AI_OPERATION_NAME]: GEN_AI_OPERATION_INVOKE_AGENT, [ATTR_GEN_AI_AGENT_NAME]: 'outer' },
    });
    endSpan(tracer, 'chat gpt-4o', { ...chatAttributes(), [ATTR_AGENT_NAME]: 'own' }, agent); // 0.0045
    agent.end();
    expect(span('chat gpt-4o').attributes[ATTR_AGENT_NAME]).toBe('own');
    const cost = await points(METRIC_COST_USD);
    expect(cost).toHaveLength(1);
    // The span says `own`: the counter groups its spend the same way a span query does.
    expect(cost[0]?.attributes[ATTR_AGENT_NAME]).toBe('own');
    expect(cost[0]?.value).toBeCloseTo(0.0045, 15);
    await meterProvider.shutdown();
  });

  it('records-nothing-without-a-meter-provider', () => {
    const { tracer, span } = createTracing([new CostSpanProcessor()]);
    endSpan(tracer, 'chat gpt-4o', chatAttributes());
    expect(span('chat gpt-4o').attributes.cost_usd).toBeCloseTo(0.0045, 15);
  });
});

describe('recordGenAiClientMetrics', () => {
  const request = {
    [ATTR_GEN_AI_OPERATION_NAME]: 'chat',
    [ATTR_GEN_AI_PROVIDER_NAME]: 'openai',
    [ATTR_GEN_AI_REQUEST_MODEL]: 'gpt-4o',
  };

  it('records-token-usage-per-type-and-duration', async () => {
    const { meterProvider, points } = meterSetup();
    const meter = meterProvider.getMeter('test');
    recordGenAiClientMetrics(meter, request, { inputTokens: 1000, outputTokens: 200 }, 1.5);
    recordGenAiClientMetrics(meter, request, { inputTokens: 10, outputTokens: 5 }, 0.5);
    const tokens = await points(METRIC_GEN_AI_CLIENT_TOKEN_USAGE);
    const input = pointWith(tokens, { ...request, [ATTR_GEN_AI_TOKEN_TYPE]: 'input' })!.value as Histogram;
    const output = pointWith(tokens, { ...request, [ATTR_GEN_AI_TOKEN_TYPE]: 'output' })!.value as Histogram;
    expect([input.count, input.sum]).toEqual([2, 1010]);
    expect([output.count, output.sum]).toEqual([2, 205]);
    // semconv bucket advice: ..., 256, 1024, ...
    expect(input.buckets.boundaries.slice(0, 6)).toEqual([1, 4, 16, 64, 256, 1024]);
    const duration = (await points(METRIC_GEN_AI_CLIENT_OPERATION_DURATION))[0]!.value as Histogram;
    expect([duration.count, duration.sum]).toEqual([2, 2]);
    await meterProvider.shutdown();
  });

  it('records-only-duration-for-a-failed-call', async () => {
    const { meterProvider, points } = meterSetup();
    const failed = { ...request, [ATTR_ERROR_TYPE]: 'RateLimitError' };
    recordGenAiClientMetrics(meterProvider.getMeter('test'), failed, undefined, 0.25);
    expect(await points(METRIC_GEN_AI_CLIENT_TOKEN_USAGE)).toHaveLength(0);
    const duration = await points(METRIC_GEN_AI_CLIENT_OPERATION_DURATION);
    expect(duration).toHaveLength(1);
    expect(duration[0]!.attributes).toEqual(failed);
    expect((duration[0]!.value as Histogram).sum).toBe(0.25);
    await meterProvider.shutdown();
  });
});
