import { type Attributes, type Context, type MeterProvider, trace } from '@opentelemetry/api';
import { type CostKind, CostMetrics } from '../metrics';
import { ComputePricer, LlmPricer, readComputeInterval } from '../pricing';
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
  ATTR_GEN_AI_AGENT_NAME,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_USAGE_COST,
  ATTR_PRICING_MODEL,
  ATTR_PRICING_SOURCE,
  ATTR_PRICING_VERSION,
  COST_KIND_COMPUTE,
  COST_KIND_LLM,
  COST_STATUS_PARTIAL,
  COST_STATUS_PRICED,
  COST_STATUS_UNPRICED,
  type CostStatus,
  GEN_AI_OPERATION_INVOKE_AGENT,
  SPAN_E2B_COMMANDS_RUN,
  SPAN_E2B_RUN_CODE,
} from '../semconv';
import type { ComputeRates, PriceResult } from '../types';
import { readLlmCall } from '../usage';
import { DiagOnce } from './diag-once';
import { TraceRollups, type TraceTotals } from './rollup';
import { hrTimeToMs, isLocalRoot, noteParent, type ReadableSpanLike, scopeNameOf } from './span-shape';

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

  constructor(options: CostSpanProcessorOptions = {}, now?: () => number) {
    const { computeRates, emitGenAiUsageCost, maxOpenTraces, maxTraceAgeMs, meterProvider, ...pricerOptions } = options;
    this.pricer = new LlmPricer(pricerOptions);
    this.computePricer = new ComputePricer(computeRates);
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

  /** Attributes to add to `span` as it ends, or undefined when it carries no cost. Never throws. */
  finish(span: ReadableSpanLike): Attributes | undefined {
    let out: Attributes | undefined;
    try {
      const traceId = span.spanContext().traceId;
      const totals = this.rollups.ending(traceId);
      out = this.cost(span, totals);
      if (isLocalRoot(span)) out = this.rollups.rootEnding(traceId, totals, out);
    } catch (error) {
      this.diag.warn(`cost processing failed: ${error instanceof Error ? error.message : String(error)}`);
    }
    return out;
  }

  private cost(span: ReadableSpanLike, totals: TraceTotals | undefined): Attributes | undefined {
    const name = span.name;
    if (name === SPAN_E2B_RUN_CODE || name === SPAN_E2B_COMMANDS_RUN) {
      if (totals !== undefined) totals.sandboxRuns++;
      return undefined;
    }
    const attributes = span.attributes;
    // Already costed (a second CostSpanProcessor in the pipeline): leave it.
    if (attributes[ATTR_COST_STATUS] !== undefined || attributes[ATTR_COST_DUPLICATE_OF] !== undefined) {
      return undefined;
    }
    const call = readLlmCall(name, attributes, scopeNameOf(span));
    if (call !== undefined) {
      this.warnAll(call.issues);
      if (call.responseId !== undefined && totals !== undefined) {
        const pricedBy = totals.claimResponse(
          call.responseId,
          span.spanContext().spanId,
          hrTimeToMs(span.startTime),
          hrTimeToMs(span.endTime),
        );
        if (pricedBy !== undefined) return { [ATTR_COST_DUPLICATE_OF]: pricedBy };
      }
      const result = this.pricer.price(call, hrTimeToMs(span.startTime));
      // A value the reader could not use leaves a figure out of the price.
      const status =
        call.issues.length > 0 && result.status === COST_STATUS_PRICED ? COST_STATUS_PARTIAL : result.status;
      const agent = this.agentOf(span);
      const out = this.resultAttributes(result, status, COST_KIND_LLM, this.agentToWrite(span, agent));
      if (totals !== undefined) {
        totals.llmCalls++;
        if (out[ATTR_COST_USD] === undefined) totals.unpricedSpans++;
        else totals.llmCostUsd += out[ATTR_COST_USD] as number;
      }
      if (out[ATTR_COST_USD] !== undefined) {
        this.metrics.record(
          COST_KIND_LLM,
          out[ATTR_COST_USD] as number,
          call.provider,
          call.requestModel ?? call.responseModel,
          agent,
        );
      }
      return out;
    }
    const interval = readComputeInterval(name, attributes);
    if (interval === undefined) return undefined;
    this.warnAll(interval.issues);
    const result = this.computePricer.price(interval);
    const agent = this.agentOf(span);
    const out = this.resultAttributes(result, result.status, COST_KIND_COMPUTE, this.agentToWrite(span, agent));
    if (totals !== undefined) {
      if (out[ATTR_COST_USD] === undefined) totals.unpricedSpans++;
      else totals.computeCostUsd += out[ATTR_COST_USD] as number;
    }
    if (out[ATTR_COST_USD] !== undefined) {
      this.metrics.record(COST_KIND_COMPUTE, out[ATTR_COST_USD] as number, interval.provider, undefined, agent);
    }
    return out;
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

  private resultAttributes(
    result: PriceResult,
    status: CostStatus,
    kind: CostKind,
    agent: string | undefined,
  ): Attributes {
    // Few writes: each attribute costs a setAttribute on the hot path, so
    // zero cache parts and a false `estimated` are left out (absent = 0 / false).
    const out: Attributes = { [ATTR_COST_STATUS]: status };
    if (result.estimated) out[ATTR_COST_ESTIMATED] = true;
    const total = result.totalUsd;
    if (status !== COST_STATUS_UNPRICED && typeof total === 'number' && Number.isFinite(total)) {
      out[ATTR_COST_USD] = total;
      if (this.emitGenAiUsageCost) out[ATTR_GEN_AI_USAGE_COST] = total;
      const parts = result.breakdown;
      if (parts !== undefined) {
        if (kind === COST_KIND_LLM) {
          out[ATTR_COST_INPUT_USD] = parts.inputUsd;
          out[ATTR_COST_OUTPUT_USD] = parts.outputUsd;
          if (parts.cacheReadUsd !== 0) out[ATTR_COST_CACHE_READ_USD] = parts.cacheReadUsd;
          if (parts.cacheWriteUsd !== 0) out[ATTR_COST_CACHE_WRITE_USD] = parts.cacheWriteUsd;
          if (parts.computeUsd !== 0) out[ATTR_COST_COMPUTE_USD] = parts.computeUsd;
        } else {
          out[ATTR_COST_COMPUTE_USD] = parts.computeUsd;
        }
      }
    } else {
      out[ATTR_COST_STATUS] = COST_STATUS_UNPRICED;
    }
    if (result.source !== undefined) out[ATTR_PRICING_SOURCE] = result.source;
    if (result.model !== undefined) out[ATTR_PRICING_MODEL] = result.model;
    if (result.version !== undefined) out[ATTR_PRICING_VERSION] = result.version;
    if (agent !== undefined) out[ATTR_AGENT_NAME] = agent;
    return out;
  }

  private warnAll(issues: readonly string[]): void {
    for (const issue of issues) this.diag.warn(issue);
  }
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
