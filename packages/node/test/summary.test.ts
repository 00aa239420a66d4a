import {
  ATTR_BUDGET_PROJECTED_USD,
  ATTR_E2B_SANDBOX_BILLED_SECONDS,
  ATTR_E2B_SANDBOX_CPU_COUNT,
  ATTR_E2B_SANDBOX_ID,
  ATTR_E2B_SANDBOX_MEMORY_MIB,
  ATTR_ERROR_TYPE,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
  CostSpanProcessor,
  GEN_AI_OPERATION_CHAT,
  GEN_AI_PROVIDER_OPENAI,
  SPAN_E2B_RUN_CODE,
  SPAN_E2B_SANDBOX,
} from '@agentburn/core';
import { CostSummaryProcessor, formatCostSummary, type TraceCostSummary, usd } from '@agentburn/node';
import { type Attributes, context, type Span, trace } from '@opentelemetry/api';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';

const base: TraceCostSummary = {
  traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
  costUsd: 0,
  llmCostUsd: 0,
  computeCostUsd: 0,
  llmCalls: 0,
  sandboxRuns: 0,
  unpricedSpans: 0,
  unpricedModels: [],
  complete: true,
};

/** A provider with the cost processor first and the summary after it, lines captured. */
function setup() {
  const lines: string[] = [];
  const provider = new BasicTracerProvider({
    spanProcessors: [
      new CostSpanProcessor({ overrides: { 'my-model': { input_mtok: 1, output_mtok: 2 } } }),
      new CostSummaryProcessor({ write: (line) => lines.push(line) }),
    ],
  });
  const tracer = provider.getTracer('test');
  const child = (parent: Span, name: string, attributes: Attributes) =>
    tracer.startSpan(name, { attributes }, trace.setSpan(context.active(), parent)).end();
  const chat = (parent: Span, model: string) =>
    child(parent, `chat ${model}`, {
      [ATTR_GEN_AI_OPERATION_NAME]: GEN_AI_OPERATION_CHAT,
      [ATTR_GEN_AI_PROVIDER_NAME]: GEN_AI_PROVIDER_OPENAI,
      [ATTR_GEN_AI_REQUEST_MODEL]: model,
      [ATTR_GEN_AI_USAGE_INPUT_TOKENS]: 1000,
      [ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: 500,
    });
  return { lines, tracer, child, chat };
}

describe('formatCostSummary', () => {
  it('shows-the-llm-compute-split-only-when-both-are-spent', () => {
    expect(
      formatCostSummary({
        ...base,
        costUsd: 0.0213,
        llmCostUsd: 0.018,
        computeCostUsd: 0.0033,
        llmCalls: 5,
        sandboxRuns: 3,
      }),
    ).toBe('agentburn  trace 4bf92f35  $0.0213  (LLM $0.0180 · compute $0.0033)  5 LLM calls · 3 sandbox runs');
    expect(formatCostSummary({ ...base, costUsd: 0.002, llmCostUsd: 0.002, llmCalls: 1 })).toBe(
      'agentburn  trace 4bf92f35  $0.0020  1 LLM call',
    );
  });

  it('names-unpriced-models-and-caps-the-list', () => {
    const models = Array.from({ length: 10 }, (_, i) => `m${i}`);
    expect(formatCostSummary({ ...base, llmCalls: 10, unpricedSpans: 10, unpricedModels: models })).toBe(
      'agentburn  trace 4bf92f35  $0.00  10 LLM calls · unpriced: m0, m1, m2, m3, m4, m5, m6, m7 +2',
    );
  });

  it('flags-an-incomplete-trace', () => {
    expect(formatCostSummary({ ...base, costUsd: 0.01, sandboxRuns: 1, complete: false })).toBe(
      'agentburn  trace 4bf92f35  $0.0100  1 sandbox run  (incomplete: spend recorded after the trace ended)',
    );
  });

  it('says-when-a-budget-was-exceeded-and-how-much-it-refused', () => {
    expect(formatCostSummary({ ...base, costUsd: 0.004, llmCalls: 2, budgetExceeded: true, budgetRefusals: 1 })).toBe(
      'agentburn  trace 4bf92f35  $0.0040  2 LLM calls · budget exceeded (1 refused)',
    );
    expect(
      formatCostSummary({ ...base, costUsd: 0.001, sandboxRuns: 1, budgetExceeded: true, budgetRefusals: 0 }),
    ).toBe('agentburn  trace 4bf92f35  $0.0010  1 sandbox run · budget exceeded');
  });

  it('never-prints-a-tiny-cost-as-zero', () => {
    expect(usd(0.000022)).toBe('$0.000022');
    expect(usd(0)).toBe('$0.00');
    expect(usd(1.23456)).toBe('$1.2346');
  });

  it('summary-shows-enough-digits-for-a-sub-cent-cost', () => {
    // 0.00475 is stored as 0.0047499999...: four decimals would print $0.0047.
    expect(usd(0.00475)).toBe('$0.00475');
    expect(usd(0.014249999999999999)).toBe('$0.0142');
    expect(usd(0.004)).toBe('$0.0040');
    expect(usd(0.0000123)).toBe('$0.0000123');
    expect(usd(12.5)).toBe('$12.5000');
    expect(usd(0.005025)).toBe('$0.00503');
  });
});

describe('CostSummaryProcessor', () => {
  it('prints-one-line-per-root-from-the-rollup', () => {
    const { lines, tracer, chat, child } = setup();
    const root = tracer.startSpan('run');
    chat(root, 'my-model');
    chat(root, 'mystery-model');
    child(root, SPAN_E2B_RUN_CODE, { [ATTR_E2B_SANDBOX_ID]: 'sbx-1' });
    // 100 s x (2 x 0.000014 + 0.5 x 0.0000045) = $0.003025 of compute.
    child(root, SPAN_E2B_SANDBOX, {
      [ATTR_E2B_SANDBOX_ID]: 'sbx-1',
      [ATTR_E2B_SANDBOX_CPU_COUNT]: 2,
      [ATTR_E2B_SANDBOX_MEMORY_MIB]: 512,
      [ATTR_E2B_SANDBOX_BILLED_SECONDS]: 100,
    });
    expect(lines).toEqual([]);
    root.end();
    // LLM: 1000 x $1/M + 500 x $2/M = $0.002; total $0.005025 (three significant digits: $0.00503).
    expect(lines).toEqual([
      `agentburn  trace ${root.spanContext().traceId.slice(0, 8)}  $0.00503  (LLM $0.0020 · compute $0.00303)  2 LLM calls · 1 sandbox run · unpriced: mystery-model`,
    ]);
  });

  it('says-why-a-call-of-a-priced-model-was-not-priced', () => {
    const { lines, tracer, child, chat } = setup();
    const root = tracer.startSpan('run');
    chat(root, 'mystery-model');
    // A stream that ended without usage: the model has a price, the tokens are unknown.
    child(root, 'chat my-model', {
      [ATTR_GEN_AI_OPERATION_NAME]: GEN_AI_OPERATION_CHAT,
      [ATTR_GEN_AI_PROVIDER_NAME]: GEN_AI_PROVIDER_OPENAI,
      [ATTR_GEN_AI_REQUEST_MODEL]: 'my-model',
    });
    root.end();
    expect(lines).toEqual([
      `agentburn  trace ${root.spanContext().traceId.slice(0, 8)}  $0.00  2 LLM calls · unpriced: mystery-model, my-model (usage_missing)`,
    ]);
  });

  it('prints-a-line-for-a-trace-whose-only-call-a-budget-refused', () => {
    const { lines, tracer, child } = setup();
    const root = tracer.startSpan('run');
    child(root, 'chat my-model', {
      [ATTR_GEN_AI_OPERATION_NAME]: GEN_AI_OPERATION_CHAT,
      [ATTR_GEN_AI_REQUEST_MODEL]: 'my-model',
      [ATTR_BUDGET_PROJECTED_USD]: 0.01,
      [ATTR_ERROR_TYPE]: 'BudgetExceededError',
    });
    root.end();
    expect(lines).toEqual([
      `agentburn  trace ${root.spanContext().traceId.slice(0, 8)}  $0.00  budget exceeded (1 refused)`,
    ]);
  });

  it('stays-silent-for-a-trace-without-llm-or-sandbox', () => {
    const { lines, tracer } = setup();
    const root = tracer.startSpan('GET /health');
    tracer.startSpan('db', {}, trace.setSpan(context.active(), root)).end();
    root.end();
    expect(lines).toEqual([]);
  });

  it('treats-a-span-with-a-remote-parent-as-a-local-root', () => {
    const { lines, tracer, chat } = setup();
    const remote = trace.setSpanContext(context.active(), {
      traceId: '0af7651916cd43dd8448eb211c80319c',
      spanId: 'b7ad6b7169203331',
      traceFlags: 1,
      isRemote: true,
    });
    const root = tracer.startSpan('handle request', {}, remote);
    chat(root, 'my-model');
    root.end();
    expect(lines).toEqual(['agentburn  trace 0af76519  $0.0020  1 LLM call']);
  });

  it('forgets-unpriced-models-of-evicted-traces', () => {
    const lines: string[] = [];
    const summary = new CostSummaryProcessor({ write: (l) => lines.push(l), maxOpenTraces: 1 });
    const provider = new BasicTracerProvider({ spanProcessors: [new CostSpanProcessor(), summary] });
    const tracer = provider.getTracer('test');
    const unpriced = (root: Span, model: string) =>
      tracer
        .startSpan(
          `chat ${model}`,
          {
            attributes: {
              [ATTR_GEN_AI_OPERATION_NAME]: GEN_AI_OPERATION_CHAT,
              [ATTR_GEN_AI_PROVIDER_NAME]: GEN_AI_PROVIDER_OPENAI,
              [ATTR_GEN_AI_REQUEST_MODEL]: model,
              [ATTR_GEN_AI_USAGE_INPUT_TOKENS]: 10,
              [ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: 10,
            },
          },
          trace.setSpan(context.active(), root),
        )
        .end();
    const first = tracer.startSpan('first');
    const second = tracer.startSpan('second');
    unpriced(first, 'no-such-model-1');
    unpriced(second, 'no-such-model-2');
    first.end();
    second.end();
    // Only one trace's names are kept: the second evicted the first's.
    expect(lines).toEqual([
      `agentburn  trace ${first.spanContext().traceId.slice(0, 8)}  $0.00  1 LLM call · unpriced: 1 span`,
      `agentburn  trace ${second.spanContext().traceId.slice(0, 8)}  $0.00  1 LLM call · unpriced: no-such-model-2`,
    ]);
  });
});
