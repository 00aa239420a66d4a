import {
  ATTR_AGENT_NAME,
  ATTR_COMPUTE_BILLED_SECONDS,
  ATTR_COST_COMPUTE_USD,
  ATTR_COST_STATUS,
  ATTR_COST_USD,
  ATTR_E2B_SANDBOX_ACTIVE_SECONDS,
  ATTR_E2B_SANDBOX_BILLED_SECONDS,
  ATTR_GEN_AI_AGENT_NAME,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_RESPONSE_MODEL,
  ATTR_GEN_AI_SYSTEM,
  ATTR_GEN_AI_USAGE_COMPLETION_TOKENS,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
  ATTR_GEN_AI_USAGE_PROMPT_TOKENS,
  ATTR_PRICING_MODEL,
  COST_STATUS_UNPRICED,
  SPAN_E2B_COMMANDS_RUN,
  SPAN_E2B_RUN_CODE,
  SPAN_E2B_SANDBOX,
} from '@agentburn/core';
import type { AttrValue, OtlpSpan, ParsedLine } from './read-otlp-lines';

/** Spend of a group of spans. `costUsd` = `llmUsd` + `computeUsd`. */
export interface Spend {
  costUsd: number;
  llmUsd: number;
  computeUsd: number;
  /** LLM inference spans, priced or not. */
  llmCalls: number;
  /** `e2b.run_code` and `e2b.commands.run` spans (iterations). */
  sandboxRuns: number;
  /** Spans whose cost is unknown (`agentburn.cost.status = unpriced`). */
  unpricedSpans: number;
}

export interface TraceSpend extends Spend {
  traceId: string;
  /** Name of the span without a parent, when the file holds it. */
  rootSpan?: string;
  agents: string[];
}

export interface AgentSpend extends Spend {
  /** `agentburn.agent.name`; `NO_AGENT` for spend outside any agent. */
  agent: string;
}

export interface ModelSpend {
  model: string;
  provider?: string;
  costUsd: number;
  calls: number;
  unpricedCalls: number;
  inputTokens: number;
  outputTokens: number;
}

export interface ComputeSpend {
  /** Sandbox running intervals (`e2b.sandbox` spans and other per-second compute spans). */
  intervals: number;
  costUsd: number;
  billedSeconds: number;
  activeSeconds: number;
  /** 1 - active/billed: the share of billed sandbox time spent idle. Absent when nothing was billed. */
  idleShare?: number;
}

export interface SpendReport {
  totals: Spend & {
    traces: number;
    spans: number;
    lines: number;
    /** Malformed lines, reported and skipped. */
    skippedLines: number;
  };
  compute: ComputeSpend;
  /** Most expensive first. */
  traces: TraceSpend[];
  agents: AgentSpend[];
  models: ModelSpend[];
}

export const NO_AGENT = '(no agent)';
export const UNKNOWN_MODEL = '(unknown model)';

export type CostKind = 'llm' | 'compute';

const num = (v: AttrValue): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const text = (v: AttrValue): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/**
 * Whether a span incurred spend, and of which kind. Only the spans the cost
 * processor marked count: those with `cost_usd` or a cost status. Parents and
 * roots carry `agentburn.trace.*` rollups instead, which are never summed.
 */
export function spanCostKind(span: OtlpSpan): CostKind | undefined {
  const a = span.attributes;
  if (num(a[ATTR_COST_USD]) === undefined && text(a[ATTR_COST_STATUS]) === undefined) return undefined;
  const compute =
    num(a[ATTR_COST_COMPUTE_USD]) !== undefined ||
    span.name === SPAN_E2B_SANDBOX ||
    a[ATTR_E2B_SANDBOX_BILLED_SECONDS] !== undefined ||
    a[ATTR_COMPUTE_BILLED_SECONDS] !== undefined;
  return compute ? 'compute' : 'llm';
}

const emptySpend = (): Spend => ({
  costUsd: 0,
  llmUsd: 0,
  computeUsd: 0,
  llmCalls: 0,
  sandboxRuns: 0,
  unpricedSpans: 0,
});

function addTo(s: Spend, kind: CostKind | undefined, cost: number, unpriced: boolean, run: boolean): void {
  if (run) s.sandboxRuns++;
  if (!kind) return;
  s.costUsd += cost;
  if (kind === 'compute') s.computeUsd += cost;
  else {
    s.llmUsd += cost;
    s.llmCalls++;
  }
  if (unpriced) s.unpricedSpans++;
}

// Sums of binary floats drift (0.1 + 0.2); ten decimals is far below any price unit.
const round = (n: number): number => Math.round(n * 1e10) / 1e10;

function roundSpend<T extends Spend>(s: T): T {
  s.costUsd = round(s.costUsd);
  s.llmUsd = round(s.llmUsd);
  s.computeUsd = round(s.computeUsd);
  return s;
}

interface TraceState extends Spend {
  rootSpan?: string;
  agents: Set<string>;
}

/**
 * Folds OTLP lines into spend per trace, agent and model. Memory grows with
 * the number of distinct traces, agents and models, not with the number of spans.
 */
export class SpendAggregator {
  private readonly total = emptySpend();
  private readonly traces = new Map<string, TraceState>();
  private readonly agents = new Map<string, Spend>();
  private readonly models = new Map<string, ModelSpend>();
  private readonly compute: ComputeSpend = { intervals: 0, costUsd: 0, billedSeconds: 0, activeSeconds: 0 };
  private spans = 0;
  private lines = 0;
  private skippedLines = 0;

  addLine(parsed: ParsedLine): void {
    this.lines++;
    if (parsed.kind === 'malformed') this.skippedLines++;
    else if (parsed.kind === 'traces') for (const span of parsed.spans) this.addSpan(span);
  }

  addSpan(span: OtlpSpan): void {
    this.spans++;
    const a = span.attributes;
    const kind = spanCostKind(span);
    const cost = num(a[ATTR_COST_USD]) ?? 0;
    const unpriced = a[ATTR_COST_STATUS] === COST_STATUS_UNPRICED;
    const run = span.name === SPAN_E2B_RUN_CODE || span.name === SPAN_E2B_COMMANDS_RUN;

    const trace = this.trace(span.traceId);
    if (!span.parentSpanId) trace.rootSpan = span.name;
    const invoked = text(a[ATTR_GEN_AI_AGENT_NAME]);
    if (invoked) trace.agents.add(invoked);
    addTo(trace, kind, cost, unpriced, run);
    addTo(this.total, kind, cost, unpriced, run);
    if (!kind) return;

    const agent = text(a[ATTR_AGENT_NAME]);
    if (agent) trace.agents.add(agent);
    let agentSpend = this.agents.get(agent ?? NO_AGENT);
    if (!agentSpend) this.agents.set(agent ?? NO_AGENT, (agentSpend = emptySpend()));
    addTo(agentSpend, kind, cost, unpriced, false);

    if (kind === 'compute') {
      this.compute.intervals++;
      this.compute.costUsd += cost;
      this.compute.billedSeconds += num(a[ATTR_E2B_SANDBOX_BILLED_SECONDS]) ?? num(a[ATTR_COMPUTE_BILLED_SECONDS]) ?? 0;
      this.compute.activeSeconds += num(a[ATTR_E2B_SANDBOX_ACTIVE_SECONDS]) ?? 0;
      return;
    }
    const model =
      text(a[ATTR_GEN_AI_REQUEST_MODEL]) ??
      text(a[ATTR_PRICING_MODEL]) ??
      text(a[ATTR_GEN_AI_RESPONSE_MODEL]) ??
      UNKNOWN_MODEL;
    let m = this.models.get(model);
    if (!m) {
      m = { model, costUsd: 0, calls: 0, unpricedCalls: 0, inputTokens: 0, outputTokens: 0 };
      this.models.set(model, m);
    }
    m.provider ??= text(a[ATTR_GEN_AI_PROVIDER_NAME]) ?? text(a[ATTR_GEN_AI_SYSTEM]);
    m.calls++;
    m.costUsd += cost;
    if (unpriced) m.unpricedCalls++;
    m.inputTokens += num(a[ATTR_GEN_AI_USAGE_INPUT_TOKENS]) ?? num(a[ATTR_GEN_AI_USAGE_PROMPT_TOKENS]) ?? 0;
    m.outputTokens += num(a[ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]) ?? num(a[ATTR_GEN_AI_USAGE_COMPLETION_TOKENS]) ?? 0;
  }

  private trace(traceId: string): TraceState {
    let t = this.traces.get(traceId);
    if (!t) this.traces.set(traceId, (t = { ...emptySpend(), agents: new Set() }));
    return t;
  }

  /** The report so far; money rounded to ten decimals, groups most expensive first. */
  result(): SpendReport {
    const byCost = (x: { costUsd: number }, y: { costUsd: number }) => y.costUsd - x.costUsd;
    const traces = [...this.traces].map(([traceId, t]) =>
      roundSpend({
        traceId,
        ...(t.rootSpan !== undefined ? { rootSpan: t.rootSpan } : {}),
        agents: [...t.agents].sort(),
        costUsd: t.costUsd,
        llmUsd: t.llmUsd,
        computeUsd: t.computeUsd,
        llmCalls: t.llmCalls,
        sandboxRuns: t.sandboxRuns,
        unpricedSpans: t.unpricedSpans,
      }),
    );
    const c = this.compute;
    const idle = c.billedSeconds > 0 ? { idleShare: round(Math.max(0, 1 - c.activeSeconds / c.billedSeconds)) } : {};
    return {
      totals: {
        ...roundSpend({ ...this.total }),
        traces: this.traces.size,
        spans: this.spans,
        lines: this.lines,
        skippedLines: this.skippedLines,
      },
      compute: {
        intervals: c.intervals,
        costUsd: round(c.costUsd),
        billedSeconds: round(c.billedSeconds),
        activeSeconds: round(c.activeSeconds),
        ...idle,
      },
      traces: traces.sort(byCost),
      agents: [...this.agents].map(([agent, s]) => roundSpend({ agent, ...s })).sort(byCost),
      models: [...this.models.values()].map((m) => ({ ...m, costUsd: round(m.costUsd) })).sort(byCost),
    };
  }
}
