import {
  ATTR_AGENT_NAME,
  ATTR_COST_CACHE_READ_USD,
  ATTR_COST_CACHE_WRITE_USD,
  ATTR_COST_COMPUTE_USD,
  ATTR_COST_DUPLICATE_OF,
  ATTR_COST_ESTIMATED,
  ATTR_COST_INPUT_USD,
  ATTR_COST_OUTPUT_USD,
  ATTR_COST_STATUS,
  ATTR_COST_USD,
  ATTR_E2B_SANDBOX_END_REASON,
  ATTR_GEN_AI_AGENT_NAME,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_USAGE_COST,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_PRICING_MODEL,
  ATTR_PRICING_SOURCE,
  ATTR_PRICING_VERSION,
  ATTR_TRACE_COMPLETE,
  ATTR_TRACE_COMPUTE_COST_USD,
  ATTR_TRACE_COST_USD,
  ATTR_TRACE_LLM_CALLS,
  ATTR_TRACE_LLM_COST_USD,
  ATTR_TRACE_SANDBOX_RUNS,
  ATTR_TRACE_UNPRICED_SPANS,
  addOpenInterval,
  CostSpanProcessor,
  type CostSpanProcessorOptions,
  GEN_AI_OPERATION_INVOKE_AGENT,
  openIntervalCount,
  SANDBOX_END_ABANDONED,
  SPAN_E2B_COMMANDS_RUN,
  SPAN_E2B_RUN_CODE,
  SPAN_E2B_SANDBOX,
} from '@agentburn/core';
import { context, DiagLogLevel, diag, type Span, SpanKind, TraceFlags, trace } from '@opentelemetry/api';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { chatAttributes, sandboxAttributes } from './helpers/genai';
import { createTracing, endSpan } from './helpers/otel';

// Prices (genai-prices 0.1.8, USD per million tokens): gpt-4o input 2.5,
// cached input 1.25, output 10. Override model acme-chat: input 2, output 8.
// E2B: 0.000014 per vCPU-second, 0.0000045 per GiB-second.
const OVERRIDES: CostSpanProcessorOptions['overrides'] = { 'acme-chat': { input_mtok: 2, output_mtok: 8 } };

function setup(options: CostSpanProcessorOptions = {}) {
  const processor = new CostSpanProcessor({ overrides: OVERRIDES, ...options });
  return { processor, ...createTracing([processor]) };
}

function collectWarnings(): string[] {
  const warnings: string[] = [];
  const record = (message: string) => {
    if (message.startsWith('@agentburn/core')) warnings.push(message);
  };
  diag.setLogger(
    { error: record, warn: record, info: () => {}, debug: () => {}, verbose: () => {} },
    { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true },
  );
  return warnings;
}

afterEach(() => {
  diag.disable();
  vi.useRealTimers();
});

describe('CostSpanProcessor: pricing a span', () => {
  it('sets-cost-and-breakdown-on-chat-span', () => {
    const { tracer, span } = setup();
    endSpan(tracer, 'chat gpt-4o', chatAttributes({ input: 1000, output: 200 }));
    const a = span('chat gpt-4o').attributes;
    // input 1000 x 2.5 / 1e6 = 0.0025; output 200 x 10 / 1e6 = 0.002; total 0.0045
    expect(a[ATTR_COST_USD]).toBeCloseTo(0.0045, 15);
    expect(a[ATTR_COST_INPUT_USD]).toBeCloseTo(0.0025, 15);
    expect(a[ATTR_COST_OUTPUT_USD]).toBeCloseTo(0.002, 15);
    // zero parts and a false `estimated` are left out
    expect(a[ATTR_COST_CACHE_READ_USD]).toBeUndefined();
    expect(a[ATTR_COST_CACHE_WRITE_USD]).toBeUndefined();
    expect(a[ATTR_COST_COMPUTE_USD]).toBeUndefined();
    expect(a[ATTR_COST_STATUS]).toBe('priced');
    expect(a[ATTR_COST_ESTIMATED]).toBeUndefined();
    expect(a[ATTR_PRICING_SOURCE]).toBe('genai-prices');
    expect(a[ATTR_PRICING_MODEL]).toBe('gpt-4o');
    expect(a[ATTR_PRICING_VERSION]).toBe('0.1.8');
    expect(a[ATTR_GEN_AI_USAGE_COST]).toBeUndefined();
  });

  it('splits-cached-input-from-uncached-input', () => {
    const { tracer, span } = setup();
    endSpan(tracer, 'chat gpt-4o', chatAttributes({ input: 1000, cacheRead: 400, output: 200 }));
    const a = span('chat gpt-4o').attributes;
    // uncached 600 x 2.5 / 1e6 = 0.0015; cached 400 x 1.25 / 1e6 = 0.0005; output 0.002; total 0.004
    expect(a[ATTR_COST_INPUT_USD]).toBeCloseTo(0.0015, 15);
    expect(a[ATTR_COST_CACHE_READ_USD]).toBeCloseTo(0.0005, 15);
    expect(a[ATTR_COST_USD]).toBeCloseTo(0.004, 15);
  });

  it('prices-with-an-override', () => {
    const { tracer, span } = setup();
    endSpan(tracer, 'chat acme-chat', chatAttributes({ model: 'acme-chat', input: 1000, output: 500 }));
    const a = span('chat acme-chat').attributes;
    // 1000 x 2 / 1e6 = 0.002; 500 x 8 / 1e6 = 0.004; total 0.006
    expect(a[ATTR_COST_USD]).toBeCloseTo(0.006, 15);
    expect(a[ATTR_PRICING_SOURCE]).toBe('override');
    expect(a[ATTR_PRICING_MODEL]).toBe('acme-chat');
    expect(a[ATTR_PRICING_VERSION]).toBeUndefined();
  });

  it('mirrors-gen-ai-usage-cost-only-when-opted-in', () => {
    const { tracer, span } = setup({ emitGenAiUsageCost: true });
    endSpan(tracer, 'chat acme-chat', chatAttributes({ model: 'acme-chat', input: 1000, output: 500 }));
    expect(span('chat acme-chat').attributes[ATTR_GEN_AI_USAGE_COST]).toBeCloseTo(0.006, 15);
  });

  it('unknown-model-is-unpriced-without-cost', () => {
    const { tracer, span } = setup();
    endSpan(tracer, 'chat no-such-model-xyz', chatAttributes({ model: 'no-such-model-xyz' }));
    const a = span('chat no-such-model-xyz').attributes;
    expect(a[ATTR_COST_STATUS]).toBe('unpriced');
    expect(a[ATTR_COST_USD]).toBeUndefined();
    expect(a[ATTR_COST_INPUT_USD]).toBeUndefined();
    expect(a[ATTR_PRICING_SOURCE]).toBeUndefined();
  });

  it('malformed-usage-marks-partial-and-warns-once-per-cause', () => {
    const warnings = collectWarnings();
    const { tracer, exporter } = setup();
    for (let i = 0; i < 3; i++) {
      endSpan(tracer, 'chat gpt-4o', { ...chatAttributes({ output: 200 }), [ATTR_GEN_AI_USAGE_INPUT_TOKENS]: 'lots' });
    }
    expect(exporter.spans).toHaveLength(3);
    for (const s of exporter.spans) {
      expect(s.attributes[ATTR_COST_STATUS]).toBe('partial');
      // only the output is known: 200 x 10 / 1e6 = 0.002
      expect(s.attributes[ATTR_COST_USD]).toBeCloseTo(0.002, 15);
    }
    expect(warnings).toEqual(['@agentburn/core: gen_ai.usage.input_tokens is not a number']);
  });

  it('never-costs-agents-wrappers-tools-or-sandbox-operations', () => {
    const { tracer, exporter } = setup();
    const usage = chatAttributes();
    endSpan(tracer, 'invoke_agent planner', {
      ...usage,
      [ATTR_GEN_AI_OPERATION_NAME]: GEN_AI_OPERATION_INVOKE_AGENT,
      [ATTR_GEN_AI_AGENT_NAME]: 'planner',
    });
    endSpan(tracer, 'ai.generateText', {
      'ai.operationId': 'ai.generateText',
      'ai.model.id': 'gpt-4o',
      'ai.model.provider': 'openai.chat',
      'ai.usage.promptTokens': 1000,
      'ai.usage.completionTokens': 200,
    });
    endSpan(tracer, 'execute_tool search', { [ATTR_GEN_AI_OPERATION_NAME]: 'execute_tool' });
    endSpan(tracer, SPAN_E2B_RUN_CODE, { 'e2b.sandbox.id': 'sbx-1' });
    expect(exporter.spans).toHaveLength(4);
    for (const s of exporter.spans) {
      expect(s.attributes[ATTR_COST_USD]).toBeUndefined();
      expect(s.attributes[ATTR_COST_STATUS]).toBeUndefined();
    }
  });

  it('prices-sandbox-interval-with-compute-usd', () => {
    const { tracer, span } = setup();
    endSpan(tracer, SPAN_E2B_SANDBOX, sandboxAttributes(100, 2, 512));
    const a = span(SPAN_E2B_SANDBOX).attributes;
    // 100 s x (2 x 0.000014 + 512/1024 x 0.0000045) = 100 x 0.00003025 = 0.003025
    expect(a[ATTR_COST_USD]).toBeCloseTo(0.003025, 15);
    expect(a[ATTR_COST_COMPUTE_USD]).toBeCloseTo(0.003025, 15);
    expect(a[ATTR_COST_INPUT_USD]).toBeUndefined();
    expect(a[ATTR_COST_STATUS]).toBe('priced');
    expect(a[ATTR_PRICING_SOURCE]).toBe('rates');
  });

  it('honours-compute-rate-overrides', () => {
    const { tracer, span } = setup({ computeRates: { e2b: { perVcpuSecond: 0.00002 } } });
    endSpan(tracer, SPAN_E2B_SANDBOX, sandboxAttributes(10, 4, 1024));
    // 10 s x (4 x 0.00002 + 1 GiB x 0.0000045) = 10 x 0.0000845 = 0.000845
    expect(span(SPAN_E2B_SANDBOX).attributes[ATTR_COST_USD]).toBeCloseTo(0.000845, 15);
  });

  it('leaves-a-span-already-costed-by-another-processor', () => {
    const first = new CostSpanProcessor({ overrides: OVERRIDES });
    const second = new CostSpanProcessor({ overrides: { 'acme-chat': { input_mtok: 100, output_mtok: 100 } } });
    const { tracer, span } = createTracing([first, second]);
    endSpan(tracer, 'chat acme-chat', chatAttributes({ model: 'acme-chat', input: 1000, output: 500 }));
    expect(span('chat acme-chat').attributes[ATTR_COST_USD]).toBeCloseTo(0.006, 15);
  });
});

describe('CostSpanProcessor: de-duplication', () => {
  it('prices-one-call-once-when-two-spans-report-it', () => {
    const { tracer, exporter, span } = setup();
    const root = tracer.startSpan('request');
    // Two instrumentations wrapping one call: the outer span encloses the inner one.
    const under = (parent: Span) => trace.setSpan(context.active(), parent);
    const outer = tracer.startSpan('openai.chat', { kind: SpanKind.CLIENT }, under(root));
    const inner = endSpan(tracer, 'chat gpt-4o', chatAttributes({ responseId: 'chatcmpl-1' }), outer);
    outer.setAttributes(chatAttributes({ responseId: 'chatcmpl-1' }));
    outer.end();
    root.end();
    const duplicate = span('openai.chat').attributes;
    expect(duplicate[ATTR_COST_USD]).toBeUndefined();
    expect(duplicate[ATTR_COST_STATUS]).toBeUndefined();
    expect(duplicate[ATTR_COST_DUPLICATE_OF]).toBe(inner.spanContext().spanId);
    expect(span('chat gpt-4o').attributes[ATTR_COST_USD]).toBeCloseTo(0.0045, 15);
    const rollup = span('request').attributes;
    expect(rollup[ATTR_TRACE_LLM_CALLS]).toBe(1);
    expect(rollup[ATTR_TRACE_COST_USD]).toBeCloseTo(0.0045, 15);
    expect(exporter.spans).toHaveLength(3);
  });

  it('prices-sequential-calls-sharing-a-response-id-in-one-trace', () => {
    // Some OpenAI-compatible servers answer every call with the same id: two
    // calls one after the other are two calls, not one call seen twice.
    const { tracer, exporter, span } = setup();
    const t0 = Date.UTC(2025, 5, 1);
    const root = tracer.startSpan('request', { startTime: t0 });
    const under = trace.setSpan(context.active(), root);
    for (const at of [t0, t0 + 1_000]) {
      const call = tracer.startSpan('chat gpt-4o', { kind: SpanKind.CLIENT, startTime: at }, under);
      call.setAttributes(chatAttributes({ responseId: 'chatcmpl-constant' }));
      call.end(at + 500);
    }
    root.end(t0 + 2_000);
    const calls = exporter.spans.filter((s) => s.name === 'chat gpt-4o');
    expect(calls).toHaveLength(2);
    for (const call of calls) {
      expect(call.attributes[ATTR_COST_DUPLICATE_OF]).toBeUndefined();
      expect(call.attributes[ATTR_COST_USD]).toBeCloseTo(0.0045, 15);
    }
    // 2 x 0.0045 = 0.009
    expect(span('request').attributes[ATTR_TRACE_COST_USD]).toBeCloseTo(0.009, 15);
    expect(span('request').attributes[ATTR_TRACE_LLM_CALLS]).toBe(2);
  });

  it('recognises-a-duplicate-after-other-calls-of-the-trace', () => {
    // The first id of a trace is kept apart from the later ones: a late duplicate
    // of the first call, after a second call, is still recognised.
    const { tracer, span } = setup();
    const t0 = Date.UTC(2025, 5, 1);
    const root = tracer.startSpan('request', { startTime: t0 });
    const under = (parent: Span) => trace.setSpan(context.active(), parent);
    const outer = tracer.startSpan('openai.chat', { kind: SpanKind.CLIENT, startTime: t0 }, under(root));
    const first = tracer.startSpan('chat gpt-4o', { kind: SpanKind.CLIENT, startTime: t0 + 10 }, under(outer));
    first.setAttributes(chatAttributes({ responseId: 'chatcmpl-a' }));
    first.end(t0 + 500);
    const second = tracer.startSpan('chat gpt-4o', { kind: SpanKind.CLIENT, startTime: t0 + 20 }, under(root));
    second.setAttributes(chatAttributes({ responseId: 'chatcmpl-b' }));
    second.end(t0 + 600);
    outer.setAttributes(chatAttributes({ responseId: 'chatcmpl-a' }));
    outer.end(t0 + 700);
    root.end(t0 + 1_000);
    expect(span('openai.chat').attributes[ATTR_COST_DUPLICATE_OF]).toBe(first.spanContext().spanId);
    expect(span('openai.chat').attributes[ATTR_COST_USD]).toBeUndefined();
    expect(span('request').attributes[ATTR_TRACE_LLM_CALLS]).toBe(2);
    // 2 x 0.0045 = 0.009
    expect(span('request').attributes[ATTR_TRACE_COST_USD]).toBeCloseTo(0.009, 15);
  });

  it('forgets-the-response-ids-and-totals-of-a-trace-that-ended', () => {
    // An ended trace's record serves the next trace: neither its ids nor its
    // totals may carry over, even for a call at the same times.
    const { tracer, span, exporter } = setup();
    const t0 = Date.UTC(2025, 5, 1);
    const trace1 = (name: string, ids: string[]) => {
      const root = tracer.startSpan(name, { startTime: t0 });
      const under = trace.setSpan(context.active(), root);
      ids.forEach((id, i) => {
        const call = tracer.startSpan('chat gpt-4o', { kind: SpanKind.CLIENT, startTime: t0 + 10 + i }, under);
        call.setAttributes(chatAttributes({ responseId: id }));
        call.end(t0 + 500 + i);
      });
      root.end(t0 + 1_000);
    };
    trace1('first request', ['chatcmpl-a', 'chatcmpl-b', 'chatcmpl-c']);
    trace1('second request', ['chatcmpl-b', 'chatcmpl-a']);
    const calls = exporter.spans.filter((s) => s.name === 'chat gpt-4o');
    expect(calls).toHaveLength(5);
    for (const call of calls) {
      expect(call.attributes[ATTR_COST_DUPLICATE_OF]).toBeUndefined();
      expect(call.attributes[ATTR_COST_USD]).toBeCloseTo(0.0045, 15);
    }
    expect(span('first request').attributes[ATTR_TRACE_LLM_CALLS]).toBe(3);
    // 2 x 0.0045 = 0.009
    expect(span('second request').attributes[ATTR_TRACE_LLM_CALLS]).toBe(2);
    expect(span('second request').attributes[ATTR_TRACE_COST_USD]).toBeCloseTo(0.009, 15);
  });

  it('prices-the-same-response-id-in-another-trace', () => {
    const { tracer, exporter } = setup();
    endSpan(tracer, 'chat gpt-4o', chatAttributes({ responseId: 'chatcmpl-2' }));
    endSpan(tracer, 'chat gpt-4o', chatAttributes({ responseId: 'chatcmpl-2' }));
    expect(exporter.spans).toHaveLength(2);
    for (const s of exporter.spans) {
      expect(s.attributes[ATTR_COST_USD]).toBeCloseTo(0.0045, 15);
      expect(s.attributes[ATTR_COST_DUPLICATE_OF]).toBeUndefined();
    }
  });
});

describe('CostSpanProcessor: trace rollup on the local root', () => {
  it('rolls-up-every-costed-span-on-the-root', () => {
    const { tracer, span } = setup();
    const root = tracer.startSpan('handle request');
    endSpan(tracer, 'chat gpt-4o', chatAttributes({ input: 1000, output: 200 }), root); // 0.0045
    endSpan(tracer, 'chat acme-chat', chatAttributes({ model: 'acme-chat', input: 1000, output: 500 }), root); // 0.006
    endSpan(tracer, 'chat no-such-model-xyz', chatAttributes({ model: 'no-such-model-xyz' }), root); // unpriced
    endSpan(tracer, SPAN_E2B_SANDBOX, sandboxAttributes(100), root); // 0.003025
    endSpan(tracer, SPAN_E2B_RUN_CODE, {}, root);
    endSpan(tracer, SPAN_E2B_COMMANDS_RUN, {}, root);
    endSpan(tracer, SPAN_E2B_RUN_CODE, {}, root);
    root.end();
    const a = span('handle request').attributes;
    expect(a[ATTR_COST_USD]).toBeUndefined();
    // 0.0045 + 0.006 + 0.003025 = 0.013525
    expect(a[ATTR_TRACE_COST_USD]).toBeCloseTo(0.013525, 15);
    expect(a[ATTR_TRACE_LLM_COST_USD]).toBeCloseTo(0.0105, 15);
    expect(a[ATTR_TRACE_COMPUTE_COST_USD]).toBeCloseTo(0.003025, 15);
    expect(a[ATTR_TRACE_LLM_CALLS]).toBe(3);
    expect(a[ATTR_TRACE_SANDBOX_RUNS]).toBe(3);
    expect(a[ATTR_TRACE_UNPRICED_SPANS]).toBe(1);
    expect(a[ATTR_TRACE_COMPLETE]).toBe(true);
  });

  it('counts-grandchildren-under-nested-spans', () => {
    const { tracer, span } = setup();
    const root = tracer.startSpan('root');
    const step = tracer.startSpan('step', {}, trace.setSpan(context.active(), root));
    endSpan(tracer, 'chat gpt-4o', chatAttributes(), step);
    step.end();
    root.end();
    expect(span('root').attributes[ATTR_TRACE_COST_USD]).toBeCloseTo(0.0045, 15);
    expect(span('step').attributes[ATTR_TRACE_COST_USD]).toBeUndefined();
  });

  it('rolls-up-on-a-root-with-a-remote-parent', () => {
    const { tracer, span } = setup();
    const remote = trace.setSpanContext(context.active(), {
      traceId: '0af7651916cd43dd8448eb211c80319c',
      spanId: 'b7ad6b7169203331',
      traceFlags: TraceFlags.SAMPLED,
      isRemote: true,
    });
    const server = tracer.startSpan('POST /agent', {}, remote);
    endSpan(tracer, 'chat gpt-4o', chatAttributes(), server);
    server.end();
    const a = span('POST /agent').attributes;
    expect(span('POST /agent').spanContext().traceId).toBe('0af7651916cd43dd8448eb211c80319c');
    expect(a[ATTR_TRACE_COST_USD]).toBeCloseTo(0.0045, 15);
    expect(a[ATTR_TRACE_LLM_CALLS]).toBe(1);
    expect(a[ATTR_TRACE_COMPLETE]).toBe(true);
  });

  it('marks-incomplete-when-a-costed-span-ends-after-the-root', () => {
    const { tracer, span } = setup();
    const root = tracer.startSpan('root');
    endSpan(tracer, 'chat gpt-4o', chatAttributes(), root);
    const interval = tracer.startSpan(SPAN_E2B_SANDBOX, {}, trace.setSpan(context.active(), root));
    root.end();
    interval.setAttributes(sandboxAttributes(100));
    interval.end();
    const a = span('root').attributes;
    expect(a[ATTR_TRACE_COMPLETE]).toBe(false);
    expect(a[ATTR_TRACE_COST_USD]).toBeCloseTo(0.0045, 15);
    expect(span(SPAN_E2B_SANDBOX).attributes[ATTR_COST_USD]).toBeCloseTo(0.003025, 15);
  });

  it('adds-nothing-to-roots-of-traces-without-llm-or-sandbox', () => {
    const { tracer, span } = setup();
    const root = tracer.startSpan('GET /health');
    endSpan(tracer, 'db query', {}, root);
    root.end();
    expect(Object.keys(span('GET /health').attributes)).toEqual([]);
  });

  it('evicts-the-oldest-trace-past-max-open-traces', () => {
    const { tracer, processor, span } = setup({ maxOpenTraces: 2 });
    const roots = ['a', 'b', 'c'].map((name) => tracer.startSpan(name));
    for (const root of roots) endSpan(tracer, 'chat gpt-4o', chatAttributes(), root);
    expect(processor.openTraces).toBe(2);
    for (const root of roots) root.end();
    expect(processor.openTraces).toBe(0);
    // a was evicted when c started: its totals are gone, and it says so.
    expect(span('a').attributes[ATTR_TRACE_COMPLETE]).toBe(false);
    expect(span('a').attributes[ATTR_TRACE_COST_USD]).toBeUndefined();
    expect(span('b').attributes[ATTR_TRACE_COST_USD]).toBeCloseTo(0.0045, 15);
    expect(span('c').attributes[ATTR_TRACE_COST_USD]).toBeCloseTo(0.0045, 15);
  });

  it('keeps-each-trace-totals-when-traces-interleave', () => {
    const { tracer, processor, span } = setup();
    const older = tracer.startSpan('older');
    const newer = tracer.startSpan('newer');
    endSpan(tracer, 'chat gpt-4o', chatAttributes({ responseId: 'n1' }), newer);
    newer.end();
    expect(processor.openTraces).toBe(1);
    endSpan(tracer, 'chat gpt-4o', chatAttributes({ responseId: 'o1' }), older);
    endSpan(tracer, 'chat gpt-4o', chatAttributes({ responseId: 'o2' }), older);
    const newest = tracer.startSpan('newest');
    expect(processor.openTraces).toBe(2);
    older.end();
    newest.end();
    expect(processor.openTraces).toBe(0);
    expect(span('newer').attributes[ATTR_TRACE_LLM_CALLS]).toBe(1);
    expect(span('older').attributes[ATTR_TRACE_LLM_CALLS]).toBe(2);
    expect(span('older').attributes[ATTR_TRACE_COST_USD]).toBeCloseTo(0.009, 15);
    expect(span('older').attributes[ATTR_TRACE_COMPLETE]).toBe(true);
    expect(Object.keys(span('newest').attributes)).toEqual([]);
  });

  it('evicts-traces-older-than-max-trace-age', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(0);
    const { tracer, processor, span } = setup({ maxTraceAgeMs: 1000 });
    const old = tracer.startSpan('old');
    vi.setSystemTime(1001);
    const young = tracer.startSpan('young');
    expect(processor.openTraces).toBe(1);
    endSpan(tracer, 'chat gpt-4o', chatAttributes(), old);
    endSpan(tracer, 'chat gpt-4o', chatAttributes(), young);
    old.end();
    young.end();
    expect(span('old').attributes[ATTR_TRACE_COMPLETE]).toBe(false);
    expect(span('young').attributes[ATTR_TRACE_COST_USD]).toBeCloseTo(0.0045, 15);
  });

  it('keeps-memory-bounded-over-many-unfinished-traces', () => {
    const { tracer, processor } = setup({ maxOpenTraces: 100 });
    for (let i = 0; i < 1000; i++) tracer.startSpan(`root ${i}`);
    expect(processor.openTraces).toBe(100);
  });
});

describe('CostSpanProcessor: agents', () => {
  function agentSpan(tracer: ReturnType<typeof setup>['tracer'], name: string, parent?: Span): Span {
    const ctx = parent ? trace.setSpan(context.active(), parent) : context.active();
    return tracer.startSpan(
      `invoke_agent ${name}`,
      { attributes: { [ATTR_GEN_AI_OPERATION_NAME]: GEN_AI_OPERATION_INVOKE_AGENT, [ATTR_GEN_AI_AGENT_NAME]: name } },
      ctx,
    );
  }

  it('tags-costed-descendants-with-the-nearest-agent', () => {
    const { tracer, exporter } = setup();
    const planner = agentSpan(tracer, 'planner');
    const step = tracer.startSpan('step', {}, trace.setSpan(context.active(), planner));
    endSpan(tracer, 'chat gpt-4o', chatAttributes({ responseId: 'p1' }), step);
    const coder = agentSpan(tracer, 'coder', step);
    endSpan(tracer, 'chat gpt-4o', chatAttributes({ responseId: 'c1' }), coder);
    endSpan(tracer, SPAN_E2B_SANDBOX, sandboxAttributes(10), coder);
    coder.end();
    endSpan(tracer, 'chat gpt-4o', chatAttributes({ responseId: 'p2' }), planner);
    step.end();
    planner.end();
    const agentOf = (id: string) =>
      exporter.spans.find((s) => s.attributes['gen_ai.response.id'] === id)?.attributes[ATTR_AGENT_NAME];
    expect(agentOf('p1')).toBe('planner');
    expect(agentOf('c1')).toBe('coder');
    expect(agentOf('p2')).toBe('planner');
    expect(exporter.spans.find((s) => s.name === SPAN_E2B_SANDBOX)?.attributes[ATTR_AGENT_NAME]).toBe('coder');
    // only costed spans are tagged
    expect(exporter.spans.find((s) => s.name === 'step')?.attributes[ATTR_AGENT_NAME]).toBeUndefined();
  });

  it('finds-an-agent-named-after-its-span-started', () => {
    const { tracer, span } = setup();
    const agent = tracer.startSpan('invoke_agent');
    agent.setAttributes({
      [ATTR_GEN_AI_OPERATION_NAME]: GEN_AI_OPERATION_INVOKE_AGENT,
      [ATTR_GEN_AI_AGENT_NAME]: 'late',
    });
    endSpan(tracer, 'chat gpt-4o', chatAttributes(), agent);
    agent.end();
    expect(span('chat gpt-4o').attributes[ATTR_AGENT_NAME]).toBe('late');
  });

  it('keeps-an-agent-name-the-emitter-set', () => {
    const { tracer, span } = setup();
    const agent = agentSpan(tracer, 'outer');
    endSpan(tracer, 'chat gpt-4o', { ...chatAttributes(), [ATTR_AGENT_NAME]: 'own' }, agent);
    agent.end();
    expect(span('chat gpt-4o').attributes[ATTR_AGENT_NAME]).toBe('own');
  });
});

describe('CostSpanProcessor: shutdown', () => {
  it('ends-open-sandbox-intervals-as-abandoned-before-exporters-shut-down', async () => {
    const { tracer, provider, exporter } = setup();
    const interval = tracer.startSpan(SPAN_E2B_SANDBOX);
    addOpenInterval('sbx-shutdown', () => {
      interval.setAttributes({ ...sandboxAttributes(300), [ATTR_E2B_SANDBOX_END_REASON]: SANDBOX_END_ABANDONED });
      interval.end();
    });
    await provider.shutdown();
    expect(openIntervalCount()).toBe(0);
    expect(exporter.spans).toHaveLength(1);
    // 300 s x 0.00003025 = 0.009075
    expect(exporter.spans[0]!.attributes[ATTR_COST_USD]).toBeCloseTo(0.009075, 15);
    expect(exporter.spans[0]!.attributes[ATTR_E2B_SANDBOX_END_REASON]).toBe('abandoned');
  });

  it('force-flush-resolves', async () => {
    await expect(new CostSpanProcessor().forceFlush()).resolves.toBeUndefined();
  });
});
