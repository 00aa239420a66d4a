import {
  ATTR_COST_INPUT_USD,
  ATTR_COST_OUTPUT_USD,
  ATTR_COST_STATUS,
  ATTR_COST_USD,
  ATTR_PRICING_MODEL,
  ATTR_PRICING_SOURCE,
  ATTR_PRICING_VERSION,
  ATTR_TRACE_COST_USD,
  ATTR_TRACE_LLM_CALLS,
  ATTR_TRACE_UNPRICED_SPANS,
  CostSpanProcessor,
  GENAI_PRICES_VERSION,
} from '@agentburn/core';
import { context, DiagLogLevel, diag, SpanKind, trace } from '@opentelemetry/api';
import * as traceSdk from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { chatAttributes } from './helpers/genai';
import { CollectingExporter, ensureContextManager, type ReadableSpan, simpleProcessor } from './helpers/otel';

// The processor writes its attributes in onEnding through the span's public
// API, so the SDK's own rules apply to them: the attribute count limit, the
// value length limit, one count per key however often it is written.

interface SpanLimits {
  attributeCountLimit?: number;
  attributeValueLengthLimit?: number;
}

const sdk = traceSdk as unknown as Record<string, unknown>;
const Provider = (sdk.BasicTracerProvider ?? sdk.TracerProvider) as new (config: {
  spanProcessors: unknown[];
  spanLimits?: SpanLimits;
}) => { getTracer(name: string): ReturnType<typeof trace.getTracer>; shutdown(): Promise<void> };

/** One gpt-4o chat span (1000 in, 200 out) under a root, through a provider with `spanLimits`. */
async function chatSpan(spanLimits: SpanLimits, extra: Record<string, number> = {}): Promise<ReadableSpan> {
  ensureContextManager();
  const exporter = new CollectingExporter();
  const provider = new Provider({
    spanProcessors: [new CostSpanProcessor({ pricesFile: '' }), simpleProcessor(exporter)],
    spanLimits,
  });
  const tracer = provider.getTracer('write-test');
  const root = tracer.startSpan('agent run');
  const span = tracer.startSpan('chat gpt-4o', { kind: SpanKind.CLIENT }, trace.setSpan(context.active(), root));
  span.setAttributes({ ...chatAttributes(), ...extra });
  span.end();
  root.end();
  await provider.shutdown();
  const chat = exporter.spans.filter((s) => s.name === 'chat gpt-4o');
  expect(chat).toHaveLength(1);
  return chat[0]!;
}

/** The SDK's own count of stored attributes (both lines keep it in `_attributesCount`). */
const storedCount = (span: ReadableSpan): unknown =>
  (span as unknown as { _attributesCount?: unknown })._attributesCount;

// gpt-4o: $2.50 / $10 per million tokens: 1000 x 2.5e-6 + 200 x 1e-5 = 0.0025 + 0.002 = 0.0045.
const COST = 0.0045;

describe('writing cost attributes', () => {
  it('writes-every-cost-attribute-and-keeps-the-attribute-count', async () => {
    const span = await chatSpan({});
    expect(span.attributes[ATTR_COST_USD]).toBeCloseTo(COST, 12);
    expect(span.attributes[ATTR_COST_INPUT_USD]).toBeCloseTo(0.0025, 12);
    expect(span.attributes[ATTR_COST_OUTPUT_USD]).toBeCloseTo(0.002, 12);
    expect(span.attributes[ATTR_COST_STATUS]).toBe('priced');
    expect(span.attributes[ATTR_PRICING_SOURCE]).toBe('genai-prices');
    expect(span.attributes[ATTR_PRICING_MODEL]).toBe('gpt-4o');
    expect(span.attributes[ATTR_PRICING_VERSION]).toBe(GENAI_PRICES_VERSION);
    // 6 chat attributes + 7 cost attributes, all counted, none dropped.
    expect(Object.keys(span.attributes)).toHaveLength(13);
    expect(storedCount(span)).toBe(13);
    expect(span.droppedAttributesCount).toBe(0);
  });

  it('counts-an-overwritten-key-once', async () => {
    // An emitter's own cost_usd (without a status) is replaced, not added twice.
    const span = await chatSpan({}, { [ATTR_COST_USD]: 1 });
    expect(span.attributes[ATTR_COST_USD]).toBeCloseTo(COST, 12);
    expect(Object.keys(span.attributes)).toHaveLength(13);
    expect(storedCount(span)).toBe(13);
  });

  it('honours-the-attribute-count-limit-like-setAttribute', async () => {
    // Room for 4 of the 7: setAttribute keeps the first four written
    // (status, cost_usd, input, output) and counts 3 as dropped.
    const span = await chatSpan({ attributeCountLimit: 10 });
    expect(Object.keys(span.attributes)).toHaveLength(10);
    expect(span.droppedAttributesCount).toBe(3);
    expect(span.attributes[ATTR_COST_STATUS]).toBe('priced');
    expect(span.attributes[ATTR_COST_USD]).toBeCloseTo(COST, 12);
    expect(span.attributes[ATTR_COST_OUTPUT_USD]).toBeCloseTo(0.002, 12);
    expect(span.attributes[ATTR_PRICING_SOURCE]).toBeUndefined();
  });

  it('honours-the-value-length-limit-like-setAttribute', async () => {
    // 7 characters: the span's own values fit, `genai-prices` is cut to `genai-p`.
    const span = await chatSpan({ attributeValueLengthLimit: 7 });
    expect(span.attributes[ATTR_PRICING_SOURCE]).toBe('genai-p');
    expect(span.attributes[ATTR_PRICING_MODEL]).toBe('gpt-4o');
    expect(span.attributes[ATTR_COST_USD]).toBeCloseTo(COST, 12);
    expect(storedCount(span)).toBe(13);
  });

  it('prices-a-span-ended-by-a-diag-logger-while-another-is-written', async () => {
    // Span A fills the count limit, so its cost finds no room and the processor
    // warns while A is being finished; the logger ends span B right there.
    ensureContextManager();
    const exporter = new CollectingExporter();
    const provider = new Provider({
      spanProcessors: [new CostSpanProcessor({ pricesFile: '' }), simpleProcessor(exporter)],
      spanLimits: { attributeCountLimit: 13 },
    });
    const tracer = provider.getTracer('write-test');
    const root = tracer.startSpan('agent run');
    const parent = trace.setSpan(context.active(), root);
    const a = tracer.startSpan('chat a', { kind: SpanKind.CLIENT }, parent);
    const b = tracer.startSpan('chat b', { kind: SpanKind.CLIENT }, parent);
    a.setAttributes({ ...chatAttributes({ input: 2000 }), 'app.1': 1, 'app.2': 2, 'app.3': 3, 'app.4': 4, 'app.5': 5 });
    a.setAttributes({ 'app.6': 6, 'app.7': 7 });
    b.setAttributes(chatAttributes());
    const warnings: string[] = [];
    let bEnded = false;
    diag.setLogger(
      {
        warn: (message: string) => {
          warnings.push(message);
          // Once: an SDK that warns about a span already ended would call back here.
          if (message.includes("'chat a' has no room") && !bEnded) {
            bEnded = true;
            b.end();
          }
        },
        error: () => {},
        info: () => {},
        debug: () => {},
        verbose: () => {},
      },
      { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true },
    );
    try {
      a.end();
      root.end();
    } finally {
      diag.disable();
    }
    await provider.shutdown();
    const byName = new Map(exporter.spans.map((span) => [span.name, span]));
    expect(warnings.filter((w) => w.includes("'chat a' has no room for cost_usd"))).toHaveLength(1);
    expect(byName.get('chat a')?.attributes[ATTR_COST_USD]).toBeUndefined();
    const spanB = byName.get('chat b');
    expect(spanB?.attributes[ATTR_COST_USD]).toBeCloseTo(COST, 12);
    expect(spanB?.attributes[ATTR_COST_INPUT_USD]).toBeCloseTo(0.0025, 12);
    expect(spanB?.attributes[ATTR_PRICING_VERSION]).toBe(GENAI_PRICES_VERSION);
    expect(Object.keys(spanB?.attributes ?? {})).toHaveLength(13);
    // The root counts both calls; A's cost never landed, so only B's is summed.
    const rootSpan = byName.get('agent run');
    expect(rootSpan?.attributes[ATTR_TRACE_LLM_CALLS]).toBe(2);
    expect(rootSpan?.attributes[ATTR_TRACE_UNPRICED_SPANS]).toBe(1);
    expect(rootSpan?.attributes[ATTR_TRACE_COST_USD]).toBeCloseTo(COST, 12);
  });
});
