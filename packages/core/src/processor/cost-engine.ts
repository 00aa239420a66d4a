import { type Attributes, type Context, type MeterProvider, trace } from '@opentelemetry/api';
import { shareBudgetPricers } from '../budget/pricers';
import { type CostKind, CostMetrics } from '../metrics';
import { ComputePricer, LlmPricer, readComputeInterval, readPricesFile } from '../pricing';
import { isPlausibleUsd, MAX_PLAUSIBLE_SPAN_USD, roundUsd } from '../pricing/money';
import {
  ATTR_AGENT_NAME,
  ATTR_BUDGET_PROJECTED_USD,
  ATTR_COST_CACHE_READ_USD,
  ATTR_COST_CACHE_WRITE_USD,
  ATTR_COST_COMPUTE_CPU_USD,
  ATTR_COST_COMPUTE_CREATION_USD,
  ATTR_COST_COMPUTE_DISK_USD,
  ATTR_COST_COMPUTE_MEMORY_USD,
  ATTR_COST_COMPUTE_USD,
  ATTR_COST_DUPLICATE_OF,
  ATTR_COST_ESTIMATED,
  ATTR_COST_INPUT_USD,
  ATTR_COST_OUTPUT_USD,
  ATTR_COST_REASON,
  ATTR_COST_STATUS,
  ATTR_COST_USD,
  ATTR_GEN_AI_AGENT_NAME,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_USAGE_COST,
  ATTR_PRICING_MODEL,
  ATTR_PRICING_SOURCE,
  ATTR_PRICING_VERSION,
  ATTR_TRACE_COST_USD,
  COST_KIND_COMPUTE,
  COST_KIND_LLM,
  COST_REASON_USAGE_INVALID,
  COST_REASON_USAGE_MISSING,
  COST_STATUS_PARTIAL,
  COST_STATUS_PRICED,
  COST_STATUS_UNPRICED,
  type CostReason,
  type CostStatus,
  GEN_AI_OPERATION_INVOKE_AGENT,
  SPAN_DAYTONA_PROCESS_CODE_RUN,
  SPAN_DAYTONA_PROCESS_EXECUTE,
  SPAN_E2B_COMMANDS_RUN,
  SPAN_E2B_RUN_CODE,
  SPAN_VERCEL_RUN_COMMAND,
} from '../semconv';
import type { ComputeRates, CostBreakdown, PriceResult } from '../types';
import { readLlmCall } from '../usage';
import { AttributeBatch } from './attribute-batch';
import { DiagOnce } from './diag-once';
import { TraceRollups, type TraceTotals } from './rollup';
import { hrTimeToMs, isLocalRoot, noteParent, type ReadableSpanLike, scopeNameOf } from './span-shape';

/** Code or command runs inside a sandbox, counted as `agentburn.trace.sandbox_runs`. */
const SANDBOX_RUN_SPANS = new Set([
  SPAN_E2B_RUN_CODE,
  SPAN_E2B_COMMANDS_RUN,
  SPAN_DAYTONA_PROCESS_EXECUTE,
  SPAN_DAYTONA_PROCESS_CODE_RUN,
  SPAN_VERCEL_RUN_COMMAND,
]);

type LlmPricerOptions = NonNullable<ConstructorParameters<typeof LlmPricer>[0]>;

export interface CostSpanProcessorOptions extends LlmPricerOptions {
  /** Per-provider sandbox rates, e.g. `{ e2b: { perVcpuSecond: 0.000014 } }`. */
  computeRates?: Partial<Record<string, Partial<ComputeRates>>>;
  /** Also write `gen_ai.usage.cost` (for Langfuse, OpenLIT). Default false. */
  emitGenAiUsageCost?: boolean;
  /** Traces whose totals are kept while their local root is open. Default 10 000. */
  maxOpenTraces?: number;
  /** Traces older than this are dropped from the rollup. Default one hour. */
  maxTraceAgeMs?: number;
  /** Where the `cost_usd` counter goes. Default: the global MeterProvider. */
  meterProvider?: MeterProvider;
}

export const DEFAULT_MAX_OPEN_TRACES = 10_000;
export const DEFAULT_MAX_TRACE_AGE_MS = 60 * 60 * 1000;

/**
 * What both processors share: reads a span's attributes, prices it, keeps
 * the per-trace rollup and the agent of each span. It never writes to a
 * span itself; `finish()` returns the attributes to add, and the caller
 * decides how (`setAttributes` in `onEnding`, a view in the fallback).
 */
export class CostEngine {
  private readonly pricer: LlmPricer;
  private readonly computePricer: ComputePricer;
  private readonly rollups: TraceRollups;
  private readonly metrics: CostMetrics;
  private readonly diag = new DiagOnce();
  private readonly emitGenAiUsageCost: boolean;
  /**
   * The agent a span runs under (its nearest `invoke_agent` ancestor, or itself
   * for an agent span). Keyed by span object: the entries go with the spans.
   */
  private readonly agents = new WeakMap<object, string>();
  /**
   * The rounded breakdown of the span being priced: read only while its
   * attributes are built, so one record serves every span.
   */
  private readonly roundedParts: CostBreakdown = emptyBreakdown();
  /** The attributes to add to the span being finished (see `finish` for a re-entered one). */
  private readonly batch = new AttributeBatch();
  private finishing = false;

  constructor(options: CostSpanProcessorOptions = {}, now?: () => number) {
    const { computeRates, emitGenAiUsageCost, maxOpenTraces, maxTraceAgeMs, meterProvider, ...pricerOptions } = options;
    // One reading of the price file serves both pricers.
    const pricesFile = readPricesFile(pricerOptions.pricesFile);
    this.pricer = new LlmPricer({ ...pricerOptions, pricesFile });
    this.computePricer = new ComputePricer(computeRates, pricesFile);
    shareBudgetPricers(this.pricer, this.computePricer);
    this.emitGenAiUsageCost = emitGenAiUsageCost === true;
    this.metrics = new CostMetrics(meterProvider);
    this.rollups = new TraceRollups(
      {
        maxOpenTraces: positive(maxOpenTraces, DEFAULT_MAX_OPEN_TRACES),
        maxTraceAgeMs: positive(maxTraceAgeMs, DEFAULT_MAX_TRACE_AGE_MS),
      },
      now,
    );
  }

  /** Traces currently tracked for the rollup (for tests and diagnostics). */
  get openTraces(): number {
    return this.rollups.size;
  }

  start(span: ReadableSpanLike, parentContext: Context): void {
    noteParent(span, parentContext);
    this.rollups.started(span.spanContext().traceId, isLocalRoot(span));
    const own = invokedAgentName(span.attributes);
    if (own !== undefined) {
      this.agents.set(span, own);
      return;
    }
    const parent = trace.getSpan(parentContext);
    if (parent === undefined) return;
    // The parent may have become an agent span after it started.
    const inherited = this.agents.get(parent) ?? invokedAgentName((parent as { attributes?: Attributes }).attributes);
    if (inherited !== undefined) this.agents.set(span, inherited);
  }

  /**
   * Prices `span` as it ends and hands the attributes to add to `write`,
   * which returns the span's attributes as they are afterwards. The trace
   * totals and the counter take only a `cost_usd` that is really on the
   * span (an SDK attribute count limit may drop writes), so the span and
   * every total always agree. Never throws.
   */
  finish<S extends ReadableSpanLike>(span: S, write: SpanWriter<S>): void {
    // A diag logger or an SDK hook may end another span while this one is finished.
    const reentered = this.finishing;
    this.finishing = true;
    const batch = reentered ? new AttributeBatch() : this.batch;
    try {
      const traceId = span.spanContext().traceId;
      const totals = this.rollups.ending(traceId);
      const costed = this.cost(span, totals, batch);
      if (costed !== undefined) {
        const written = this.writeChecked(span, batch, write, ATTR_COST_USD);
        if (!costed.duplicate) this.settle(span, costed, written, totals);
      }
      // A local root's own cost is in its totals by now.
      if (isLocalRoot(span)) {
        batch.clear();
        if (this.rollups.rootEnding(traceId, totals, batch)) this.writeChecked(span, batch, write, ATTR_TRACE_COST_USD);
      }
    } catch (error) {
      this.diag.warn(`cost processing failed: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      batch.clear();
      if (!reentered) this.finishing = false;
    }
  }

  /** Writes `batch`; returns whether `key` is on the span afterwards with the value written. */
  private writeChecked<S extends ReadableSpanLike>(
    span: S,
    batch: AttributeBatch,
    write: SpanWriter<S>,
    key: string,
  ): boolean {
    let after: Attributes | undefined;
    try {
      after = write(span, batch);
    } catch {
      after = undefined;
    }
    const value = batch.get(key);
    if (value === undefined) return true;
    if (after !== undefined && after[key] === value) return true;
    this.diag.warn(
      `span '${span.name}' has no room for ${key} (attribute count limit reached): it is left out of the trace ` +
        'totals; raise OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT (or spanLimits.attributeCountLimit)',
    );
    return false;
  }

  /** Counts a costed span in its trace's totals and the counter, as far as its cost was written. */
  private settle(span: ReadableSpanLike, costed: Costed, written: boolean, totals: TraceTotals | undefined): void {
    const usd = written ? costed.usd : undefined;
    if (totals !== undefined) {
      if (costed.kind === COST_KIND_LLM) totals.llmCalls++;
      if (usd === undefined) totals.unpricedSpans++;
      else if (costed.kind === COST_KIND_LLM) totals.llmCostUsd += usd;
      else totals.computeCostUsd += usd;
    }
    if (usd !== undefined) this.metrics.record(costed.kind, usd, costed.provider, costed.model, this.agentOf(span));
  }

  /** Prices `span` into `batch`; undefined when it has no cost of its own. */
  private cost(span: ReadableSpanLike, totals: TraceTotals | undefined, batch: AttributeBatch): Costed | undefined {
    const name = span.name;
    if (SANDBOX_RUN_SPANS.has(name)) {
      if (totals !== undefined) totals.sandboxRuns++;
      return undefined;
    }
    const attributes = span.attributes;
    // Already costed (a second CostSpanProcessor in the pipeline), or a call a budget refused before sending: leave it.
    if (
      attributes[ATTR_COST_STATUS] !== undefined ||
      attributes[ATTR_COST_DUPLICATE_OF] !== undefined ||
      attributes[ATTR_BUDGET_PROJECTED_USD] !== undefined
    ) {
      return undefined;
    }
    const call = readLlmCall(name, attributes, scopeNameOf(span));
    if (call !== undefined) {
      this.warnAll(call.issues);
      const startMs = hrTimeToMs(span.startTime);
      if (call.responseId !== undefined && totals !== undefined) {
        const pricedBy = totals.claimResponse(
          call.responseId,
          span.spanContext().spanId,
          startMs,
          hrTimeToMs(span.endTime),
        );
        if (pricedBy !== undefined) {
          batch.set(ATTR_COST_DUPLICATE_OF, pricedBy);
          return { kind: COST_KIND_LLM, duplicate: true };
        }
      }
      const result = this.pricer.price(call, startMs);
      let status = result.status;
      let reason = result.reason;
      if (status === COST_STATUS_PRICED && call.outputMissing === true) {
        // Input known, output never reported (a stream cut before its final usage).
        status = COST_STATUS_PARTIAL;
        reason = COST_REASON_USAGE_MISSING;
      }
      if (call.issues.length > 0) {
        // A value the reader could not use leaves a figure out of the price.
        if (status === COST_STATUS_PRICED) status = COST_STATUS_PARTIAL;
        if (status === COST_STATUS_PARTIAL || reason === COST_REASON_USAGE_MISSING) reason = COST_REASON_USAGE_INVALID;
      }
      return this.costed(
        span,
        batch,
        result,
        status,
        reason,
        COST_KIND_LLM,
        call.provider,
        call.requestModel ?? call.responseModel,
      );
    }
    const interval = readComputeInterval(name, attributes);
    if (interval === undefined) return undefined;
    this.warnAll(interval.issues);
    const result = this.computePricer.price(interval);
    const reason =
      result.reason === COST_REASON_USAGE_MISSING && interval.issues.length > 0
        ? COST_REASON_USAGE_INVALID
        : result.reason;
    return this.costed(span, batch, result, result.status, reason, COST_KIND_COMPUTE, interval.provider, undefined);
  }

  private costed(
    span: ReadableSpanLike,
    batch: AttributeBatch,
    result: PriceResult,
    status: CostStatus,
    reason: CostReason | undefined,
    kind: CostKind,
    provider: string | undefined,
    model: string | undefined,
  ): Costed {
    let usd: number | undefined;
    let parts: CostBreakdown | undefined;
    if (status !== COST_STATUS_UNPRICED && result.totalUsd !== undefined) {
      parts = result.breakdown === undefined ? undefined : roundParts(result.breakdown, this.roundedParts);
      usd = parts === undefined ? result.totalUsd : sumParts(parts);
      if (!isPlausibleUsd(usd) || (parts !== undefined && !partsPlausible(parts))) {
        this.diag.warn(
          `span '${span.name}' reports usage or a cost outside [0, ${MAX_PLAUSIBLE_SPAN_USD}] USD: ` +
            'left unpriced (usage_invalid) and out of every total',
        );
        usd = undefined;
        parts = undefined;
        reason = COST_REASON_USAGE_INVALID;
      } else {
        usd = roundUsd(usd);
      }
    }
    if (usd === undefined) status = COST_STATUS_UNPRICED;
    this.addResultAttributes(
      batch,
      result,
      status,
      reason,
      usd,
      parts,
      kind,
      this.agentToWrite(span, this.agentOf(span)),
    );
    return { kind, usd, provider, model };
  }
  /** The agent `span` ran under, for the counter: a name the emitter set itself wins. */
  private agentOf(span: ReadableSpanLike): string | undefined {
    const own = span.attributes[ATTR_AGENT_NAME];
    return typeof own === 'string' && own !== '' ? own : this.agents.get(span);
  }

  /** The agent name to write on `span`: none when the emitter set one (it stays as it is). */
  private agentToWrite(span: ReadableSpanLike, agent: string | undefined): string | undefined {
    return span.attributes[ATTR_AGENT_NAME] === undefined ? agent : undefined;
  }

  /**
   * The attributes of a costed span, `cost_usd` first: an SDK attribute
   * count limit keeps the earliest writes, and the span's own cost matters
   * most. Zero cache parts and a false `estimated` are left out (absent = 0 / false).
   */
  private addResultAttributes(
    out: AttributeBatch,
    result: PriceResult,
    status: CostStatus,
    reason: CostReason | undefined,
    usd: number | undefined,
    parts: CostBreakdown | undefined,
    kind: CostKind,
    agent: string | undefined,
  ): void {
    if (usd !== undefined) out.set(ATTR_COST_USD, usd);
    out.set(ATTR_COST_STATUS, status);
    if (reason !== undefined && status !== COST_STATUS_PRICED) out.set(ATTR_COST_REASON, reason);
    if (result.estimated) out.set(ATTR_COST_ESTIMATED, true);
    if (usd !== undefined) {
      if (this.emitGenAiUsageCost) out.set(ATTR_GEN_AI_USAGE_COST, usd);
      if (parts !== undefined) {
        if (kind === COST_KIND_LLM) {
          out.set(ATTR_COST_INPUT_USD, parts.inputUsd);
          out.set(ATTR_COST_OUTPUT_USD, parts.outputUsd);
          if (parts.cacheReadUsd !== 0) out.set(ATTR_COST_CACHE_READ_USD, parts.cacheReadUsd);
          if (parts.cacheWriteUsd !== 0) out.set(ATTR_COST_CACHE_WRITE_USD, parts.cacheWriteUsd);
          if (parts.computeUsd !== 0) out.set(ATTR_COST_COMPUTE_USD, parts.computeUsd);
        } else {
          out.set(ATTR_COST_COMPUTE_USD, parts.computeUsd);
          const compute = parts.computeParts;
          if (compute !== undefined) {
            if (compute.cpuUsd !== 0) out.set(ATTR_COST_COMPUTE_CPU_USD, compute.cpuUsd);
            if (compute.memoryUsd !== 0) out.set(ATTR_COST_COMPUTE_MEMORY_USD, compute.memoryUsd);
            if (compute.diskUsd !== 0) out.set(ATTR_COST_COMPUTE_DISK_USD, compute.diskUsd);
            if (compute.creationUsd !== 0) out.set(ATTR_COST_COMPUTE_CREATION_USD, compute.creationUsd);
          }
        }
      }
    }
    if (result.source !== undefined) out.set(ATTR_PRICING_SOURCE, result.source);
    if (result.model !== undefined) out.set(ATTR_PRICING_MODEL, result.model);
    if (result.version !== undefined) out.set(ATTR_PRICING_VERSION, result.version);
    if (agent !== undefined) out.set(ATTR_AGENT_NAME, agent);
  }

  private warnAll(issues: readonly string[]): void {
    for (const issue of issues) this.diag.warn(issue);
  }
}

/** Adds `batch` to `span`; returns the span's attributes as they are afterwards. */
export type SpanWriter<S> = (span: S, batch: AttributeBatch) => Attributes | undefined;

/** A span's cost as priced (its attributes are in the batch), before it is written and counted. */
interface Costed {
  kind: CostKind;
  /** The rounded `cost_usd` to write; undefined when the span is not priced. */
  usd?: number | undefined;
  provider?: string | undefined;
  model?: string | undefined;
  /** A twin of a span already priced: counted in no total. */
  duplicate?: boolean;
}

function emptyBreakdown(): CostBreakdown {
  return { inputUsd: 0, outputUsd: 0, cacheReadUsd: 0, cacheWriteUsd: 0, computeUsd: 0, computeParts: undefined };
}

/**
 * Each part rounded (see `roundUsd`); the total is then the rounded sum of
 * the rounded parts. Written into `into` when given (its sandbox sub-parts
 * record is reused too), else into a new record.
 */
export function roundParts(b: CostBreakdown, into: CostBreakdown = emptyBreakdown()): CostBreakdown {
  into.inputUsd = roundUsd(b.inputUsd);
  into.outputUsd = roundUsd(b.outputUsd);
  into.cacheReadUsd = roundUsd(b.cacheReadUsd);
  into.cacheWriteUsd = roundUsd(b.cacheWriteUsd);
  into.computeUsd = roundUsd(b.computeUsd);
  const compute = b.computeParts;
  if (compute === undefined) {
    into.computeParts = undefined;
    return into;
  }
  // The sandbox sub-parts sum to the compute part, as the parts sum to the total.
  const parts = into.computeParts ?? { cpuUsd: 0, memoryUsd: 0, diskUsd: 0, creationUsd: 0 };
  parts.cpuUsd = roundUsd(compute.cpuUsd);
  parts.memoryUsd = roundUsd(compute.memoryUsd);
  parts.diskUsd = roundUsd(compute.diskUsd);
  parts.creationUsd = roundUsd(compute.creationUsd);
  into.computeParts = parts;
  into.computeUsd = roundUsd(parts.cpuUsd + parts.memoryUsd + parts.diskUsd + parts.creationUsd);
  return into;
}

export function sumParts(b: CostBreakdown): number {
  return b.inputUsd + b.outputUsd + b.cacheReadUsd + b.cacheWriteUsd + b.computeUsd;
}

function partsPlausible(b: CostBreakdown): boolean {
  return (
    isPlausibleUsd(b.inputUsd) &&
    isPlausibleUsd(b.outputUsd) &&
    isPlausibleUsd(b.cacheReadUsd) &&
    isPlausibleUsd(b.cacheWriteUsd) &&
    isPlausibleUsd(b.computeUsd)
  );
}

function invokedAgentName(attributes: Attributes | undefined): string | undefined {
  if (attributes === undefined || attributes[ATTR_GEN_AI_OPERATION_NAME] !== GEN_AI_OPERATION_INVOKE_AGENT) {
    return undefined;
  }
  const name = attributes[ATTR_GEN_AI_AGENT_NAME];
  return typeof name === 'string' && name !== '' ? name : undefined;
}

function positive(value: number | undefined, fallback: number): number {
  return typeof value === 'number' && value > 0 ? value : fallback;
}
