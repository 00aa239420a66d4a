import {
  ATTR_COST_CACHE_READ_USD,
  ATTR_COST_COMPUTE_USD,
  ATTR_COST_ESTIMATED,
  ATTR_COST_INPUT_USD,
  ATTR_COST_OUTPUT_USD,
  ATTR_COST_STATUS,
  ATTR_COST_USD,
  ATTR_E2B_SANDBOX_END_REASON,
  ATTR_PRICING_MODEL,
  ATTR_PRICING_SOURCE,
  ATTR_PRICING_VERSION,
  ATTR_TRACE_COMPLETE,
  ATTR_TRACE_COST_USD,
  ATTR_TRACE_LLM_CALLS,
  addOpenInterval,
  CostSpanProcessor,
  SANDBOX_END_ABANDONED,
  SPAN_E2B_SANDBOX,
} from '@agentburn/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { afterEach, describe, expect, it } from 'vitest';
import { chatAttributes, sandboxAttributes } from './helpers/genai';
import { createProvider, endSpan, type SpanExporter, simpleProcessor } from './helpers/otel';
import { OtlpReceiver } from './helpers/otlp-receiver';

let receiver: OtlpReceiver | undefined;
afterEach(async () => {
  await receiver?.close();
  receiver = undefined;
});

async function exportingProvider() {
  receiver = new OtlpReceiver();
  const url = await receiver.start();
  const exporter = new OTLPTraceExporter({ url }) as unknown as SpanExporter;
  return createProvider([new CostSpanProcessor(), simpleProcessor(exporter)]);
}

describe('export over OTLP/HTTP', () => {
  it('carries-cost-and-breakdown-on-the-wire', async () => {
    const provider = await exportingProvider();
    const tracer = provider.getTracer('test');
    const root = tracer.startSpan('agent run');
    endSpan(tracer, 'chat gpt-4o', chatAttributes({ input: 1000, cacheRead: 400, output: 200 }), root);
    root.end();
    await provider.forceFlush();
    await provider.shutdown();

    expect(receiver!.contentTypes[0]).toBe('application/json');
    const chat = receiver!.span('chat gpt-4o').attributes;
    // gpt-4o (genai-prices 0.1.8): uncached 600 x 2.5e-6 = 0.0015; cached 400 x 1.25e-6 = 0.0005;
    // output 200 x 10e-6 = 0.002; total 0.004
    expect(chat[ATTR_COST_USD]).toBeCloseTo(0.004, 15);
    expect(chat[ATTR_COST_INPUT_USD]).toBeCloseTo(0.0015, 15);
    expect(chat[ATTR_COST_CACHE_READ_USD]).toBeCloseTo(0.0005, 15);
    expect(chat[ATTR_COST_OUTPUT_USD]).toBeCloseTo(0.002, 15);
    expect(chat[ATTR_COST_STATUS]).toBe('priced');
    expect(chat[ATTR_COST_ESTIMATED]).toBeUndefined();
    expect(chat[ATTR_PRICING_SOURCE]).toBe('genai-prices');
    expect(chat[ATTR_PRICING_MODEL]).toBe('gpt-4o');
    expect(chat[ATTR_PRICING_VERSION]).toBe('0.1.8');
    const run = receiver!.span('agent run').attributes;
    expect(run[ATTR_TRACE_COST_USD]).toBeCloseTo(0.004, 15);
    expect(run[ATTR_TRACE_LLM_CALLS]).toBe(1);
    expect(run[ATTR_TRACE_COMPLETE]).toBe(true);
    expect(run[ATTR_COST_USD]).toBeUndefined();
  });

  it('exports-an-abandoned-sandbox-interval-on-shutdown', async () => {
    const provider = await exportingProvider();
    const interval = provider.getTracer('test').startSpan(SPAN_E2B_SANDBOX);
    addOpenInterval('sbx-otlp', () => {
      interval.setAttributes({
        ...sandboxAttributes(60, 2, 2048),
        [ATTR_E2B_SANDBOX_END_REASON]: SANDBOX_END_ABANDONED,
        [ATTR_COST_ESTIMATED]: true,
      });
      interval.end();
    });
    await provider.shutdown();
    const sandbox = receiver!.span(SPAN_E2B_SANDBOX).attributes;
    // 60 s x (2 x 0.000014 + 2 GiB x 0.0000045) = 60 x 0.000037 = 0.00222
    expect(sandbox[ATTR_COST_USD]).toBeCloseTo(0.00222, 15);
    expect(sandbox[ATTR_COST_COMPUTE_USD]).toBeCloseTo(0.00222, 15);
    expect(sandbox[ATTR_E2B_SANDBOX_END_REASON]).toBe('abandoned');
    // the instrumentation marks an abandoned interval estimated; the processor keeps it
    expect(sandbox[ATTR_COST_ESTIMATED]).toBe(true);
  });
});
