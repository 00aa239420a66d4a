import {
  ATTR_BUDGET_STATUS,
  ATTR_COST_REASON,
  ATTR_COST_STATUS,
  ATTR_ERROR_TYPE,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_RESPONSE_MODEL,
  ATTR_TRACE_COMPLETE,
  ATTR_TRACE_COMPUTE_COST_USD,
  ATTR_TRACE_COST_USD,
  ATTR_TRACE_LLM_CALLS,
  ATTR_TRACE_LLM_COST_USD,
  ATTR_TRACE_SANDBOX_RUNS,
  ATTR_TRACE_UNPRICED_SPANS,
  BUDGET_STATUS_EXCEEDED,
  COST_REASON_MODEL_UNKNOWN,
  COST_STATUS_UNPRICED,
  isLocalRoot,
} from '@agentburn/core';
import type { Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-node';

/** The rollup the CostSpanProcessor leaves on a local root span, plus what the summary collected itself. */
export interface TraceCostSummary {
  traceId: string;
  costUsd: number;
  llmCostUsd: number;
  computeCostUsd: number;
  llmCalls: number;
  sandboxRuns: number;
  unpricedSpans: number;
  /** Model names of the trace's unpriced spans, in order of first appearance. */
  unpricedModels: string[];
  /** False when a costed span of the trace ended after its root. */
  complete: boolean;
  /** A budget refused or stopped something in the trace. */
  budgetExceeded?: boolean;
  /** Calls and sandbox operations a budget refused. */
  budgetRefusals?: number;
}

export interface CostSummaryProcessorOptions {
  /** Where a summary line goes; defaults to stderr. */
  write?: (line: string) => void;
  /** Traces whose unpriced model names are remembered until their root ends (oldest evicted first). */
  maxOpenTraces?: number;
}

const DEFAULT_MAX_OPEN_TRACES = 1000;
/** `error.type` of a call or sandbox operation a budget refused. */
const BUDGET_EXCEEDED_ERROR = 'BudgetExceededError';
/** More unpriced model names than this per trace are summarised as "+N". */
const MAX_MODELS_PER_TRACE = 8;

/**
 * Prints one line per trace to stderr when its local root span ends: what the
 * trace cost, split into LLM and compute, and which models had no price.
 *
 * It must run after the CostSpanProcessor, which writes the
 * `agentburn.trace.*` rollup on the root in `onEnding`. It reads attributes
 * only, so it also summarises spans priced in another process and forwarded here.
 */
export class CostSummaryProcessor implements SpanProcessor {
  private readonly write: (line: string) => void;
  private readonly maxOpenTraces: number;
  /** traceId -> unpriced model names seen in that trace (insertion order = age, for eviction). */
  private readonly unpriced = new Map<string, Set<string>>();
  /** traceId -> refusals by a budget in traces where one was exceeded (0: exceeded, nothing refused); same eviction. */
  private readonly budgetHits = new Map<string, number>();

  constructor(options: CostSummaryProcessorOptions = {}) {
    this.write = options.write ?? ((line) => process.stderr.write(`${line}\n`));
    this.maxOpenTraces = Math.max(1, options.maxOpenTraces ?? DEFAULT_MAX_OPEN_TRACES);
  }

  onStart(_span: Span, _parentContext: Context): void {}

  onEnd(span: ReadableSpan): void {
    try {
      const traceId = span.spanContext().traceId;
      if (span.attributes[ATTR_COST_STATUS] === COST_STATUS_UNPRICED) this.rememberUnpriced(traceId, span);
      this.rememberBudgetHit(traceId, span);
      if (!isLocalRoot(span)) return;
      const models = this.unpriced.get(traceId);
      this.unpriced.delete(traceId);
      const budgetRefusals = this.budgetHits.get(traceId);
      this.budgetHits.delete(traceId);
      const summary = readTraceSummary(span, models ? [...models] : [], budgetRefusals);
      if (summary) this.write(formatCostSummary(summary));
    } catch {
      // A summary line is a courtesy: never let it break the app or the export pipeline.
    }
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    this.unpriced.clear();
    this.budgetHits.clear();
    return Promise.resolve();
  }

  private rememberBudgetHit(traceId: string, span: ReadableSpan): void {
    const refused = span.attributes[ATTR_ERROR_TYPE] === BUDGET_EXCEEDED_ERROR;
    if (!refused && span.attributes[ATTR_BUDGET_STATUS] !== BUDGET_STATUS_EXCEEDED) return;
    if (!this.budgetHits.has(traceId) && this.budgetHits.size >= this.maxOpenTraces) {
      const oldest = this.budgetHits.keys().next().value;
      if (oldest !== undefined) this.budgetHits.delete(oldest);
    }
    this.budgetHits.set(traceId, (this.budgetHits.get(traceId) ?? 0) + (refused ? 1 : 0));
  }

  private rememberUnpriced(traceId: string, span: ReadableSpan): void {
    const model = span.attributes[ATTR_GEN_AI_REQUEST_MODEL] ?? span.attributes[ATTR_GEN_AI_RESPONSE_MODEL];
    let models = this.unpriced.get(traceId);
    if (!models) {
      if (this.unpriced.size >= this.maxOpenTraces) {
        const oldest = this.unpriced.keys().next().value;
        if (oldest !== undefined) this.unpriced.delete(oldest);
      }
      models = new Set();
      this.unpriced.set(traceId, models);
    }
    const name = typeof model === 'string' && model !== '' ? model : '(unknown model)';
    // A model with no price reads as its name alone; any other reason (usage_missing, ...) is said with it.
    const reason = span.attributes[ATTR_COST_REASON];
    models.add(typeof reason === 'string' && reason !== COST_REASON_MODEL_UNKNOWN ? `${name} (${reason})` : name);
  }
}

/**
 * Reads the rollup from a root span. Returns undefined when the trace had no
 * LLM call and no sandbox run (an HTTP request that never reached a model is
 * not worth a line).
 */
export function readTraceSummary(
  span: ReadableSpan,
  unpricedModels: string[] = [],
  /** Refusals by a budget in the trace, when a budget was exceeded in it. */
  budgetRefusals?: number,
): TraceCostSummary | undefined {
  const attrs = span.attributes;
  const summary: TraceCostSummary = {
    traceId: span.spanContext().traceId,
    costUsd: num(attrs[ATTR_TRACE_COST_USD]),
    llmCostUsd: num(attrs[ATTR_TRACE_LLM_COST_USD]),
    computeCostUsd: num(attrs[ATTR_TRACE_COMPUTE_COST_USD]),
    llmCalls: num(attrs[ATTR_TRACE_LLM_CALLS]),
    sandboxRuns: num(attrs[ATTR_TRACE_SANDBOX_RUNS]),
    unpricedSpans: num(attrs[ATTR_TRACE_UNPRICED_SPANS]),
    unpricedModels,
    complete: attrs[ATTR_TRACE_COMPLETE] !== false,
  };
  const worthALine =
    summary.costUsd > 0 || summary.llmCalls > 0 || summary.sandboxRuns > 0 || summary.unpricedSpans > 0;
  if (budgetRefusals !== undefined) {
    summary.budgetExceeded = true;
    summary.budgetRefusals = budgetRefusals;
  }
  return worthALine || budgetRefusals !== undefined ? summary : undefined;
}

/**
 * One compact line, e.g.
 * `agentburn  trace 4bf92f35  $0.0213  (LLM $0.0180 · compute $0.0033)  5 LLM calls · 3 sandbox runs · unpriced: my-model`
 */
export function formatCostSummary(s: TraceCostSummary): string {
  const parts = [`agentburn  trace ${s.traceId.slice(0, 8)}  ${usd(s.costUsd)}`];
  if (s.llmCostUsd > 0 && s.computeCostUsd > 0) {
    parts.push(`  (LLM ${usd(s.llmCostUsd)} · compute ${usd(s.computeCostUsd)})`);
  }
  const counts: string[] = [];
  if (s.llmCalls > 0) counts.push(plural(s.llmCalls, 'LLM call'));
  if (s.sandboxRuns > 0) counts.push(plural(s.sandboxRuns, 'sandbox run'));
  if (s.unpricedSpans > 0 || s.unpricedModels.length > 0) counts.push(`unpriced: ${modelList(s)}`);
  if (s.budgetExceeded) {
    const refused = s.budgetRefusals ?? 0;
    counts.push(`budget exceeded${refused > 0 ? ` (${refused} refused)` : ''}`);
  }
  if (counts.length > 0) parts.push(`  ${counts.join(' · ')}`);
  if (!s.complete) parts.push('  (incomplete: spend recorded after the trace ended)');
  return parts.join('');
}

/**
 * At least four decimals (what an LLM call usually costs) and at least three
 * significant digits, so a small cost is neither zero nor cut short
 * (`$0.00475`, not `$0.0047`); zeros past the fourth decimal are dropped.
 * Rounded from the shortest decimal form of the number (Intl does), not from
 * its binary value, which toFixed would round down (0.00475 is 0.0047499...).
 */
export function usd(value: number): string {
  if (value === 0 || !Number.isFinite(value)) return '$0.00';
  const decimals = Math.min(20, Math.max(4, 2 - Math.floor(Math.log10(Math.abs(value)))));
  const text = fixedFormat(decimals).format(value);
  return `$${decimals > 4 ? text.replace(/(\.\d{4}\d*?)0+$/, '$1') : text}`;
}

const formats = new Map<number, Intl.NumberFormat>();
function fixedFormat(decimals: number): Intl.NumberFormat {
  let format = formats.get(decimals);
  if (!format) {
    format = new Intl.NumberFormat('en-US', {
      minimumFractionDigits: decimals,
      maximumFractionDigits: decimals,
      useGrouping: false,
    });
    formats.set(decimals, format);
  }
  return format;
}

function modelList(s: TraceCostSummary): string {
  if (s.unpricedModels.length === 0) return plural(s.unpricedSpans, 'span');
  const shown = s.unpricedModels.slice(0, MAX_MODELS_PER_TRACE).join(', ');
  const more = s.unpricedModels.length - MAX_MODELS_PER_TRACE;
  return more > 0 ? `${shown} +${more}` : shown;
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

function num(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}
