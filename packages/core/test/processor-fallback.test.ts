import {
  ATTR_AGENT_NAME,
  ATTR_COST_INPUT_USD,
  ATTR_COST_STATUS,
  ATTR_COST_USD,
  ATTR_GEN_AI_AGENT_NAME,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_TRACE_COST_USD,
  addOpenInterval,
  CostSpanProcessor,
  GEN_AI_OPERATION_INVOKE_AGENT,
  SPAN_E2B_SANDBOX,
  wrapWithCost,
} from '@agentburn/core';
import { context, DiagLogLevel, diag } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { chatAttributes, sandboxAttributes } from './helpers/genai';
import { CollectingExporter, createProvider, endSpan, InMemorySpanExporter, simpleProcessor } from './helpers/otel';

// gpt-4o (genai-prices 0.1.8): input 2.5, output 10 USD per million tokens.
// 1000 input + 200 output = 0.0025 + 0.002 = 0.0045.

describe('wrapWithCost (providers without onEnding)', () => {
  it('cost-span-processor-warns-once-when-the-provider-skips-on-ending', () => {
    const warnings: string[] = [];
    diag.setLogger(
      {
        error: () => {},
        warn: (message: string) => warnings.push(message),
        info: () => {},
        debug: () => {},
        verbose: () => {},
      },
      DiagLogLevel.WARN,
    );
    const processor = new CostSpanProcessor();
    // What a provider without onEnding does: onStart, then onEnd only.
    const span = createProvider([]).getTracer('test').startSpan('chat gpt-4o');
    span.setAttributes(chatAttributes());
    span.end();
    processor.onEnd(span as unknown as Parameters<CostSpanProcessor['onEnd']>[0]);
    processor.onEnd(span as unknown as Parameters<CostSpanProcessor['onEnd']>[0]);
    diag.disable();
    expect(warnings.filter((w) => w.includes('wrapWithCost'))).toHaveLength(1);
  });

  it('hands-the-inner-processor-a-costed-view-without-mutating-the-span', () => {
    const exporter = new InMemorySpanExporter();
    const wrapped = wrapWithCost(simpleProcessor(exporter));
    // The fallback must work where onEnding is never called.
    expect('onEnding' in wrapped).toBe(false);
    const tracer = createProvider([wrapped]).getTracer('test');
    const span = endSpan(tracer, 'chat gpt-4o', chatAttributes());
    const [seen] = exporter.getFinishedSpans();
    expect(exporter.getFinishedSpans()).toHaveLength(1);
    expect(seen!.attributes[ATTR_COST_USD]).toBeCloseTo(0.0045, 15);
    expect(seen!.attributes[ATTR_COST_INPUT_USD]).toBeCloseTo(0.0025, 15);
    expect(seen!.attributes[ATTR_COST_STATUS]).toBe('priced');
    // The ended span itself is untouched.
    const original = span as unknown as { attributes: Record<string, unknown> };
    expect(original.attributes[ATTR_COST_USD]).toBeUndefined();
    // The view keeps the span's prototype: methods and getters still answer.
    expect(Object.getPrototypeOf(seen)).toBe(span);
    expect(seen!.spanContext()).toEqual(span.spanContext());
    expect(seen!.name).toBe('chat gpt-4o');
    expect(seen!.ended).toBe(true);
    expect(seen!.duration).toEqual((span as unknown as { duration: unknown }).duration);
  });

  it('passes-uncosted-spans-through-as-they-are', () => {
    const exporter = new InMemorySpanExporter();
    const tracer = createProvider([wrapWithCost(simpleProcessor(exporter))]).getTracer('test');
    const span = endSpan(tracer, 'db query', { 'db.system': 'postgresql' });
    expect(exporter.getFinishedSpans()[0]).toBe(span);
  });

  it('rolls-up-and-tags-agents-through-the-view', () => {
    const exporter = new InMemorySpanExporter();
    const tracer = createProvider([wrapWithCost(simpleProcessor(exporter))]).getTracer('test');
    const agent = tracer.startSpan('invoke_agent coder', {
      attributes: { [ATTR_GEN_AI_OPERATION_NAME]: GEN_AI_OPERATION_INVOKE_AGENT, [ATTR_GEN_AI_AGENT_NAME]: 'coder' },
    });
    endSpan(tracer, 'chat gpt-4o', chatAttributes(), agent);
    agent.end();
    const [chat, root] = exporter.getFinishedSpans();
    expect(chat!.attributes[ATTR_AGENT_NAME]).toBe('coder');
    expect(root!.attributes[ATTR_TRACE_COST_USD]).toBeCloseTo(0.0045, 15);
  });

  it('feeds-every-inner-processor-and-closes-intervals-before-their-shutdown', async () => {
    const first = new CollectingExporter();
    const second = new CollectingExporter();
    const provider = createProvider([wrapWithCost([simpleProcessor(first), simpleProcessor(second)])]);
    const tracer = provider.getTracer('test');
    const interval = tracer.startSpan(SPAN_E2B_SANDBOX, {}, context.active());
    addOpenInterval('sbx-fallback', () => {
      interval.setAttributes(sandboxAttributes(100));
      interval.end();
    });
    await provider.shutdown();
    // 100 s x (2 x 0.000014 + 0.5 x 0.0000045) = 0.003025
    expect(first.spans[0]!.attributes[ATTR_COST_USD]).toBeCloseTo(0.003025, 15);
    expect(second.spans[0]!.attributes[ATTR_COST_USD]).toBeCloseTo(0.003025, 15);
  });
});
