import { roundUsd } from '../pricing/money';
import {
  ATTR_TRACE_COMPLETE,
  ATTR_TRACE_COMPUTE_COST_USD,
  ATTR_TRACE_COST_USD,
  ATTR_TRACE_LLM_CALLS,
  ATTR_TRACE_LLM_COST_USD,
  ATTR_TRACE_SANDBOX_RUNS,
  ATTR_TRACE_UNPRICED_SPANS,
} from '../semconv';
import type { AttributeBatch } from './attribute-batch';

/** Response ids remembered per trace for de-duplication. */
const RESPONSE_WINDOW = 32;

/** Running totals of one trace, for the spans that ended in this process. */
export class TraceTotals {
  llmCostUsd = 0;
  computeCostUsd = 0;
  llmCalls = 0;
  sandboxRuns = 0;
  unpricedSpans = 0;
  /** Spans of the trace started here and not yet ended. */
  open = 0;
  /** Local roots of the trace still open (a loopback call adds a second one). */
  roots = 0;

  /**
   * The first response id priced in this trace, its span and end time: most
   * traces price one call, and keep it without a list.
   */
  private firstId: string | undefined;
  private firstSpan: string | undefined;
  private firstEnd = 0;
  /**
   * From the second id on: the last ids priced, their spans and end times (a
   * small ring of `ringSize` entries). The lists outlive a reset, so a
   * reused record fills them again without growing new ones.
   */
  private responseIds: string[] | undefined;
  private pricedBy: string[] | undefined;
  private pricedEnds: number[] | undefined;
  private ringSize = 0;
  private nextSlot = 0;

  constructor(public createdAt: number) {}

  /** Back to a fresh trace's totals, so an ended trace's record serves the next one. */
  reset(createdAt: number): void {
    this.createdAt = createdAt;
    this.llmCostUsd = 0;
    this.computeCostUsd = 0;
    this.llmCalls = 0;
    this.sandboxRuns = 0;
    this.unpricedSpans = 0;
    this.open = 0;
    this.roots = 0;
    this.firstId = undefined;
    this.firstSpan = undefined;
    this.firstEnd = 0;
    this.ringSize = 0;
    this.nextSlot = 0;
  }

  /**
   * The span that already priced `responseId` in this trace, else remembers
   * `spanId` for it. Two instrumentations wrapping one call end their spans
   * close together, so a window of recent ids per trace is enough, costs no
   * hashing and goes away with the trace. The spans of one call overlap in
   * time (one encloses the other); a span that started after the earlier one
   * ended is another call that got the same id (servers that answer every
   * call with one constant id), and is priced too.
   */
  claimResponse(responseId: string, spanId: string, startMs: number, endMs: number): string | undefined {
    if (this.firstId === undefined) {
      this.firstId = responseId;
      this.firstSpan = spanId;
      this.firstEnd = endMs;
      return undefined;
    }
    // Times first: a later call of the trace started after these ended, and a number is cheaper to compare than an id.
    if (this.ringSize === 0) {
      if (startMs <= this.firstEnd && this.firstId === responseId) return this.firstSpan;
      // A second id: the ring starts with the first in its slot 0.
      if (this.responseIds === undefined) {
        this.responseIds = [this.firstId];
        this.pricedBy = [this.firstSpan as string];
        this.pricedEnds = [this.firstEnd];
      } else {
        this.responseIds[0] = this.firstId;
        (this.pricedBy as string[])[0] = this.firstSpan as string;
        (this.pricedEnds as number[])[0] = this.firstEnd;
      }
      this.ringSize = 1;
      this.nextSlot = 1;
    }
    const ids = this.responseIds as string[];
    const spans = this.pricedBy as string[];
    const ends = this.pricedEnds as number[];
    for (let i = 0; i < this.ringSize; i++) {
      if (startMs <= (ends[i] as number) && ids[i] === responseId) return spans[i];
    }
    ids[this.nextSlot] = responseId;
    spans[this.nextSlot] = spanId;
    ends[this.nextSlot] = endMs;
    if (this.ringSize < RESPONSE_WINDOW) this.ringSize++;
    this.nextSlot = (this.nextSlot + 1) % RESPONSE_WINDOW;
    return undefined;
  }

  get touched(): boolean {
    return this.llmCalls > 0 || this.sandboxRuns > 0 || this.computeCostUsd > 0 || this.unpricedSpans > 0;
  }
}

export interface RollupLimits {
  maxOpenTraces: number;
  maxTraceAgeMs: number;
}

/**
 * Per-trace totals, kept from a local root's start to its end. A root learns
 * at its own end whether spans of its trace are still running (they may carry
 * cost that ends after it): `agentburn.trace.complete = false`. Bounded by
 * count and by age: a Map iterates in insertion order, so the oldest traces
 * are at its head and eviction stops at the first young one.
 */
export class TraceRollups {
  /** Every kept trace but the newest, oldest first. */
  private readonly traces = new Map<string, TraceTotals>();
  /**
   * The newest trace, kept out of the map until another one opens: most
   * traces run one after another, and a Map that keeps going from one entry
   * back to none reallocates its table each time.
   */
  private newestId: string | undefined;
  private newest: TraceTotals | undefined;
  /**
   * No kept trace is older than this (a lower bound, exact after each
   * eviction pass): opening a trace walks the map only when the count or
   * this bound says an entry is due, not on every local root.
   */
  private oldestAt = Number.POSITIVE_INFINITY;
  /**
   * The record of the last trace whose local roots all ended: no span can
   * reach it any more (a later span of that trace finds no entry), so the
   * next trace to open reuses it. Most traces open and close one after another,
   * and then a trace without cost allocates nothing here.
   */
  private spare: TraceTotals | undefined;

  constructor(
    private readonly limits: RollupLimits,
    private readonly now: () => number = () => Date.now(),
  ) {}

  get size(): number {
    return this.traces.size + (this.newest === undefined ? 0 : 1);
  }

  /** A span of `traceId` started; local roots open the trace's entry. */
  started(traceId: string, localRoot: boolean): void {
    let totals = this.get(traceId);
    if (totals === undefined) {
      if (!localRoot) return;
      totals = this.open(traceId);
    }
    totals.open++;
    if (localRoot) totals.roots++;
  }

  /** A span of `traceId` is ending: its entry, if the trace is still tracked. */
  ending(traceId: string): TraceTotals | undefined {
    const totals = this.get(traceId);
    if (totals !== undefined && totals.open > 0) totals.open--;
    return totals;
  }

  /**
   * The local root of `traceId` is ending, with the `totals` its `ending()`
   * returned: adds the rollup to `out` and says whether it did. Nothing for
   * traces that had no LLM call, sandbox run or cost and nothing still running.
   */
  rootEnding(traceId: string, totals: TraceTotals | undefined, out: AttributeBatch): boolean {
    if (totals === undefined) {
      // Evicted (count or age) while running: the totals are lost, say so.
      out.set(ATTR_TRACE_COMPLETE, false);
      return true;
    }
    // Only local roots open entries, so a span ending after its root finds
    // none and leaves nothing behind.
    if (--totals.roots <= 0) this.delete(traceId, totals);
    if (!totals.touched && totals.open === 0) return false;
    // Sums of written, plausible figures (see CostEngine.costed), rounded like them.
    const llm = roundUsd(totals.llmCostUsd);
    const compute = roundUsd(totals.computeCostUsd);
    out.set(ATTR_TRACE_COST_USD, roundUsd(llm + compute));
    out.set(ATTR_TRACE_LLM_COST_USD, llm);
    out.set(ATTR_TRACE_COMPUTE_COST_USD, compute);
    out.set(ATTR_TRACE_LLM_CALLS, totals.llmCalls);
    out.set(ATTR_TRACE_SANDBOX_RUNS, totals.sandboxRuns);
    out.set(ATTR_TRACE_UNPRICED_SPANS, totals.unpricedSpans);
    // A span still running may carry cost that ends after the root.
    out.set(ATTR_TRACE_COMPLETE, totals.open === 0);
    return true;
  }

  private get(traceId: string): TraceTotals | undefined {
    return traceId === this.newestId ? this.newest : this.traces.get(traceId);
  }

  private delete(traceId: string, totals: TraceTotals): void {
    if (totals === this.newest) {
      this.newestId = undefined;
      this.newest = undefined;
    } else {
      this.traces.delete(traceId);
    }
    this.spare = totals;
  }

  private open(traceId: string): TraceTotals {
    // The newest so far joins the map, so the map holds every trace in opening order for eviction.
    if (this.newestId !== undefined) this.traces.set(this.newestId, this.newest as TraceTotals);
    const now = this.now();
    const oldestAllowed = now - this.limits.maxTraceAgeMs;
    if (this.traces.size >= this.limits.maxOpenTraces || this.oldestAt < oldestAllowed) {
      this.oldestAt = Number.POSITIVE_INFINITY;
      for (const [id, totals] of this.traces) {
        if (this.traces.size < this.limits.maxOpenTraces && totals.createdAt >= oldestAllowed) {
          this.oldestAt = totals.createdAt;
          break;
        }
        this.traces.delete(id);
      }
    }
    if (this.traces.size === 0) this.oldestAt = now;
    else if (now < this.oldestAt) this.oldestAt = now;
    let totals = this.spare;
    if (totals === undefined) totals = new TraceTotals(now);
    else {
      this.spare = undefined;
      totals.reset(now);
    }
    this.newestId = traceId;
    this.newest = totals;
    return totals;
  }
}
