import {
  ATTR_AGENT_NAME,
  ATTR_COMPUTE_BILLED_SECONDS,
  ATTR_COST_COMPUTE_USD,
  ATTR_COST_REASON,
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
  COST_STATUS_PRICED,
  COST_STATUS_UNPRICED,
  SPAN_E2B_COMMANDS_RUN,
  SPAN_E2B_RUN_CODE,
  SPAN_E2B_SANDBOX,
} from '@agentburn/core';
import type { AttrValue, OtlpSpan, ParsedLine } from './read-otlp-lines';
import { RightSizingCollector, type RightSizingReport } from './right-sizing';
import { round10, Sum } from './sum';

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

export interface DaySpend extends Spend {
  /** UTC date the spans ended, `YYYY-MM-DD`. */
  day: string;
}

export interface SpendReport {
  totals: Spend & {
    traces: number;
    spans: number;
    lines: number;
    /** Malformed lines, reported and skipped. */
    skippedLines: number;
    /** Spans whose `cost_usd` is negative, non-finite, not a number or implausibly large: reported and not counted. */
    skippedSpans: number;
    /** Spans seen again (same trace id and span id): counted once. */
    duplicateSpans: number;
  };
  compute: ComputeSpend;
  /** Most expensive first. */
  traces: TraceSpend[];
  agents: AgentSpend[];
  models: ModelSpend[];
  /** Oldest first. */
  days: DaySpend[];
  /** Allocated against used per sandbox template or size, and the smallest size that held the peak. */
  rightSizing: RightSizingReport;
}

/** Spend of one UTC hour, for the page's spend-over-time chart. */
export interface HourSpend {
  /** Start of the hour, Unix ms. */
  hourUnixMs: number;
  llmUsd: number;
  computeUsd: number;
}

/** Calls that could not be priced (or only in part), by model and reason. */
export interface UnpricedCalls {
  model: string;
  status: string;
  /** `agentburn.cost.reason`; `(not given)` when the span does not say. */
  reason: string;
  calls: number;
}

export interface AggregatorOptions {
  /** Count only spans that ended at or after this time (Unix ms). */
  sinceUnixMs?: number;
  /** Reads the sandbox intervals for right-sizing; one with the published rates when absent. */
  rightSizing?: RightSizingCollector;
}

/** Unix milliseconds from an OTLP fixed64 nanosecond string; undefined when absent or not a number. */
export function nanosToMillis(nanos: string | undefined): number | undefined {
  if (nanos === undefined || !/^\d+$/.test(nanos)) return undefined;
  return nanos.length > 6 ? Number(nanos.slice(0, -6)) : 0;
}

export const NO_AGENT = '(no agent)';
export const UNKNOWN_MODEL = '(unknown model)';

export type CostKind = 'llm' | 'compute';

/**
 * No single span plausibly spends more than this (USD). Larger values are
 * rejected like negative ones: summed, two of 1e308 would make every total
 * Infinity.
 */
export const MAX_SPAN_COST_USD = 1_000_000;

/** Why a span's `cost_usd` cannot be summed, or undefined when it can (or is absent). */
export function invalidCost(span: OtlpSpan): string | undefined {
  if (!(ATTR_COST_USD in span.attributes)) return undefined;
  const cost = span.attributes[ATTR_COST_USD];
  if (typeof cost !== 'number' || Number.isNaN(cost)) return `${ATTR_COST_USD} is not a number`;
  if (cost < 0) return `${ATTR_COST_USD} ${cost} is negative`;
  if (!Number.isFinite(cost) || cost > MAX_SPAN_COST_USD)
    return `${ATTR_COST_USD} ${cost} is over the ${MAX_SPAN_COST_USD} USD plausibility cap`;
  return undefined;
}

/** A span the aggregator did not count, and why. */
export interface SkippedSpan {
  traceId: string;
  spanId: string;
  reason: string;
}

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

const round = round10;

interface Tally {
  cost: Sum;
  llm: Sum;
  compute: Sum;
  llmCalls: number;
  sandboxRuns: number;
  unpricedSpans: number;
}

const newTally = (): Tally => ({
  cost: new Sum(),
  llm: new Sum(),
  compute: new Sum(),
  llmCalls: 0,
  sandboxRuns: 0,
  unpricedSpans: 0,
});

function addTo(t: Tally, kind: CostKind | undefined, cost: number, unpriced: boolean, run: boolean): void {
  if (run) t.sandboxRuns++;
  if (!kind) return;
  t.cost.add(cost);
  if (kind === 'compute') t.compute.add(cost);
  else {
    t.llm.add(cost);
    t.llmCalls++;
  }
  if (unpriced) t.unpricedSpans++;
}

const spendOf = (t: Tally): Spend => ({
  costUsd: round(t.cost.value),
  llmUsd: round(t.llm.value),
  computeUsd: round(t.compute.value),
  llmCalls: t.llmCalls,
  sandboxRuns: t.sandboxRuns,
  unpricedSpans: t.unpricedSpans,
});

interface TraceState extends Tally {
  rootSpan?: string;
  agents: Set<string>;
  /** Span ids seen in this trace, so a span exported twice counts once. */
  spanIds: Set<string>;
}

interface ModelState {
  provider?: string;
  cost: Sum;
  calls: number;
  unpricedCalls: number;
  inputTokens: number;
  outputTokens: number;
}

/**
 * Folds OTLP lines into spend per trace, agent and model. Memory grows with
 * the number of distinct traces, agents and models, plus one span id per
 * span (to count a span exported twice once).
 */
export class SpendAggregator {
  private readonly total = newTally();
  private readonly traces = new Map<string, TraceState>();
  private readonly agents = new Map<string, Tally>();
  private readonly models = new Map<string, ModelState>();
  private readonly days = new Map<string, Tally>();
  private readonly hours = new Map<number, { llm: Sum; compute: Sum }>();
  private readonly unpricedCalls = new Map<string, UnpricedCalls>();
  private readonly sinceUnixMs: number | undefined;
  private readonly rightSizing: RightSizingCollector;
  private readonly compute = { intervals: 0, cost: new Sum(), billedSeconds: new Sum(), activeSeconds: new Sum() };
  private spans = 0;
  private lines = 0;
  private skippedLines = 0;
  private skippedSpans = 0;
  private duplicateSpans = 0;

  constructor(options: AggregatorOptions = {}) {
    this.sinceUnixMs = options.sinceUnixMs;
    this.rightSizing = options.rightSizing ?? new RightSizingCollector();
  }

  /** Adds a line's spans; returns the spans skipped for an invalid cost. */
  addLine(parsed: ParsedLine): SkippedSpan[] {
    this.lines++;
    const skipped: SkippedSpan[] = [];
    if (parsed.kind === 'malformed') this.skippedLines++;
    else if (parsed.kind === 'traces') {
      for (const span of parsed.spans) {
        const reason = this.addSpan(span);
        if (reason) skipped.push({ traceId: span.traceId, spanId: span.spanId, reason });
      }
    }
    return skipped;
  }

  /** Counts a span once per trace id and span id; returns why it was skipped, if it was. */
  addSpan(span: OtlpSpan): string | undefined {
    const endMs = nanosToMillis(span.endTimeUnixNano ?? span.startTimeUnixNano);
    if (this.sinceUnixMs !== undefined && (endMs === undefined || endMs < this.sinceUnixMs)) return undefined;
    const invalid = invalidCost(span);
    if (invalid) {
      this.skippedSpans++;
      return invalid;
    }
    const trace = this.trace(span.traceId);
    if (span.spanId) {
      if (trace.spanIds.has(span.spanId)) {
        this.duplicateSpans++;
        return undefined;
      }
      trace.spanIds.add(span.spanId);
    }
    this.spans++;
    const a = span.attributes;
    const kind = spanCostKind(span);
    const cost = num(a[ATTR_COST_USD]) ?? 0;
    const unpriced = a[ATTR_COST_STATUS] === COST_STATUS_UNPRICED;
    const run = span.name === SPAN_E2B_RUN_CODE || span.name === SPAN_E2B_COMMANDS_RUN;

    if (!span.parentSpanId) trace.rootSpan = span.name;
    const invoked = text(a[ATTR_GEN_AI_AGENT_NAME]);
    if (invoked) trace.agents.add(invoked);
    addTo(trace, kind, cost, unpriced, run);
    addTo(this.total, kind, cost, unpriced, run);
    if (endMs !== undefined) {
      const day = new Date(endMs).toISOString().slice(0, 10);
      let dayTally = this.days.get(day);
      if (!dayTally) this.days.set(day, (dayTally = newTally()));
      addTo(dayTally, kind, cost, unpriced, run);
      if (kind) {
        const hour = Math.floor(endMs / 3_600_000) * 3_600_000;
        let h = this.hours.get(hour);
        if (!h) this.hours.set(hour, (h = { llm: new Sum(), compute: new Sum() }));
        (kind === 'compute' ? h.compute : h.llm).add(cost);
      }
    }
    const status = text(a[ATTR_COST_STATUS]);
    if (kind && status !== undefined && status !== COST_STATUS_PRICED) this.countUnpriced(span, status);
    if (!kind) return undefined;

    const agent = text(a[ATTR_AGENT_NAME]);
    if (agent) trace.agents.add(agent);
    let agentTally = this.agents.get(agent ?? NO_AGENT);
    if (!agentTally) this.agents.set(agent ?? NO_AGENT, (agentTally = newTally()));
    addTo(agentTally, kind, cost, unpriced, false);

    if (kind === 'compute') {
      const c = this.compute;
      c.intervals++;
      c.cost.add(cost);
      c.billedSeconds.add(num(a[ATTR_E2B_SANDBOX_BILLED_SECONDS]) ?? num(a[ATTR_COMPUTE_BILLED_SECONDS]) ?? 0);
      c.activeSeconds.add(num(a[ATTR_E2B_SANDBOX_ACTIVE_SECONDS]) ?? 0);
      this.rightSizing.add(span);
      return undefined;
    }
    const model =
      text(a[ATTR_GEN_AI_REQUEST_MODEL]) ??
      text(a[ATTR_PRICING_MODEL]) ??
      text(a[ATTR_GEN_AI_RESPONSE_MODEL]) ??
      UNKNOWN_MODEL;
    let m = this.models.get(model);
    if (!m) {
      m = { cost: new Sum(), calls: 0, unpricedCalls: 0, inputTokens: 0, outputTokens: 0 };
      this.models.set(model, m);
    }
    m.provider ??= text(a[ATTR_GEN_AI_PROVIDER_NAME]) ?? text(a[ATTR_GEN_AI_SYSTEM]);
    m.calls++;
    m.cost.add(cost);
    if (unpriced) m.unpricedCalls++;
    m.inputTokens += num(a[ATTR_GEN_AI_USAGE_INPUT_TOKENS]) ?? num(a[ATTR_GEN_AI_USAGE_PROMPT_TOKENS]) ?? 0;
    m.outputTokens += num(a[ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]) ?? num(a[ATTR_GEN_AI_USAGE_COMPLETION_TOKENS]) ?? 0;
    return undefined;
  }

  private countUnpriced(span: OtlpSpan, status: string): void {
    const a = span.attributes;
    const model = text(a[ATTR_GEN_AI_REQUEST_MODEL]) ?? text(a[ATTR_GEN_AI_RESPONSE_MODEL]) ?? span.name;
    const reason = text(a[ATTR_COST_REASON]) ?? '(not given)';
    const key = `${model}\u0000${status}\u0000${reason}`;
    const entry = this.unpricedCalls.get(key);
    if (entry) entry.calls++;
    else this.unpricedCalls.set(key, { model, status, reason, calls: 1 });
  }

  /** Spend per UTC hour that had any, oldest first. */
  hourly(): HourSpend[] {
    return [...this.hours]
      .sort(([x], [y]) => x - y)
      .map(([hourUnixMs, h]) => ({ hourUnixMs, llmUsd: round(h.llm.value), computeUsd: round(h.compute.value) }));
  }

  /** Unpriced and partly priced calls by model, status and reason; most calls first. */
  unpriced(): UnpricedCalls[] {
    return [...this.unpricedCalls.values()].sort((x, y) => y.calls - x.calls || (x.model < y.model ? -1 : 1));
  }

  private trace(traceId: string): TraceState {
    let t = this.traces.get(traceId);
    if (!t) this.traces.set(traceId, (t = { ...newTally(), agents: new Set(), spanIds: new Set() }));
    return t;
  }

  /** The report so far; money rounded to ten decimals, groups most expensive first. */
  result(): SpendReport {
    const byCost = (x: { costUsd: number }, y: { costUsd: number }) => y.costUsd - x.costUsd;
    const traces: TraceSpend[] = [...this.traces].map(([traceId, t]) => ({
      traceId,
      ...(t.rootSpan !== undefined ? { rootSpan: t.rootSpan } : {}),
      agents: [...t.agents].sort(),
      ...spendOf(t),
    }));
    const c = this.compute;
    const billed = c.billedSeconds.value;
    const active = c.activeSeconds.value;
    const idle = billed > 0 ? { idleShare: round(Math.max(0, 1 - active / billed)) } : {};
    return {
      totals: {
        ...spendOf(this.total),
        traces: this.traces.size,
        spans: this.spans,
        lines: this.lines,
        skippedLines: this.skippedLines,
        skippedSpans: this.skippedSpans,
        duplicateSpans: this.duplicateSpans,
      },
      compute: {
        intervals: c.intervals,
        costUsd: round(c.cost.value),
        billedSeconds: round(billed),
        activeSeconds: round(active),
        ...idle,
      },
      traces: traces.sort(byCost),
      agents: [...this.agents].map(([agent, t]): AgentSpend => ({ agent, ...spendOf(t) })).sort(byCost),
      models: [...this.models]
        .map(
          ([model, m]): ModelSpend => ({
            model,
            ...(m.provider !== undefined ? { provider: m.provider } : {}),
            costUsd: round(m.cost.value),
            calls: m.calls,
            unpricedCalls: m.unpricedCalls,
            inputTokens: m.inputTokens,
            outputTokens: m.outputTokens,
          }),
        )
        .sort(byCost),
      days: [...this.days]
        .map(([day, t]): DaySpend => ({ day, ...spendOf(t) }))
        .sort((x, y) => (x.day < y.day ? -1 : 1)),
      rightSizing: this.rightSizing.result(),
    };
  }
}
