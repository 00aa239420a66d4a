import {
  ATTR_COMPUTE_BILLED_SECONDS,
  ATTR_COST_REASON,
  ATTR_COST_STATUS,
  ATTR_COST_USD,
  ATTR_E2B_SANDBOX_ACTIVE_SECONDS,
  ATTR_E2B_SANDBOX_BILLED_SECONDS,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_RESPONSE_MODEL,
  GEN_AI_OPERATION_INVOKE_AGENT,
} from '@agentburn/core';
import { invalidCost, nanosToMillis, spanCostKind } from './aggregate';
import type { AttrValue, OtlpSpan, ParsedLine } from './read-otlp-lines';

/** What a waterfall row is: a priced call or interval, a sandbox operation, an agent task, anything else. */
export type RowKind = 'llm' | 'compute' | 'operation' | 'agent' | 'other';

/** One span as the waterfall draws it. Times in ms, relative to the trace's first span. */
export interface WaterfallSpan {
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: RowKind;
  /** Nesting level under the trace's roots. */
  depth: number;
  startMs: number;
  durationMs: number;
  costUsd?: number;
  model?: string;
  status?: string;
  reason?: string;
  billedSeconds?: number;
  activeSeconds?: number;
}

export interface TraceWaterfall {
  traceId: string;
  /** Spans in start order, parents before their children at equal times; at most the collector's cap. */
  spans: WaterfallSpan[];
  /** Spans of the trace not drawn (over the cap). */
  omitted: number;
  /** Wall time from the first start to the last end, ms. */
  durationMs: number;
}

const num = (v: AttrValue) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const text = (v: AttrValue) => (typeof v === 'string' && v !== '' ? v : undefined);

interface Raw extends Omit<WaterfallSpan, 'startMs' | 'durationMs' | 'depth'> {
  start: number;
  end: number;
}

function rowKind(span: OtlpSpan): RowKind {
  const cost = spanCostKind(span);
  if (cost) return cost;
  if (span.name.startsWith(`${GEN_AI_OPERATION_INVOKE_AGENT} `)) return 'agent';
  if (span.name.startsWith('e2b.') || span.name.startsWith('agentburn.compute') || span.name.includes('sandbox'))
    return 'operation';
  return 'other';
}

/**
 * Keeps the spans of a chosen set of traces (the most expensive ones, picked
 * after a first pass), each once, at most `maxSpansPerTrace` per trace, so
 * the page embeds what it draws and not the file.
 */
export class WaterfallCollector {
  private readonly spans = new Map<string, Map<string, Raw>>();
  private readonly omitted = new Map<string, number>();

  constructor(
    traceIds: Iterable<string>,
    private readonly maxSpansPerTrace = 500,
  ) {
    for (const id of traceIds) this.spans.set(id, new Map());
  }

  addLine(parsed: ParsedLine): void {
    if (parsed.kind !== 'traces') return;
    for (const span of parsed.spans) this.addSpan(span);
  }

  addSpan(span: OtlpSpan): void {
    const spans = this.spans.get(span.traceId);
    if (!spans || spans.has(span.spanId) || invalidCost(span)) return;
    if (spans.size >= this.maxSpansPerTrace) {
      this.omitted.set(span.traceId, (this.omitted.get(span.traceId) ?? 0) + 1);
      return;
    }
    const a = span.attributes;
    const start = nanosToMillis(span.startTimeUnixNano) ?? 0;
    const end = Math.max(start, nanosToMillis(span.endTimeUnixNano) ?? start);
    const raw: Raw = { spanId: span.spanId, name: span.name, kind: rowKind(span), start, end };
    if (span.parentSpanId) raw.parentSpanId = span.parentSpanId;
    const cost = num(a[ATTR_COST_USD]);
    if (cost !== undefined) raw.costUsd = cost;
    const model = text(a[ATTR_GEN_AI_REQUEST_MODEL]) ?? text(a[ATTR_GEN_AI_RESPONSE_MODEL]);
    if (model) raw.model = model;
    const status = text(a[ATTR_COST_STATUS]);
    if (status) raw.status = status;
    const reason = text(a[ATTR_COST_REASON]);
    if (reason) raw.reason = reason;
    const billed = num(a[ATTR_E2B_SANDBOX_BILLED_SECONDS]) ?? num(a[ATTR_COMPUTE_BILLED_SECONDS]);
    if (billed !== undefined) raw.billedSeconds = billed;
    const active = num(a[ATTR_E2B_SANDBOX_ACTIVE_SECONDS]);
    if (active !== undefined) raw.activeSeconds = active;
    spans.set(span.spanId, raw);
  }

  /** Each trace's spans in tree order (a parent, then its children by start time). */
  result(): Map<string, TraceWaterfall> {
    const out = new Map<string, TraceWaterfall>();
    for (const [traceId, spans] of this.spans) {
      const all = [...spans.values()];
      const first = Math.min(...all.map((s) => s.start));
      const last = Math.max(...all.map((s) => s.end));
      const children = new Map<string | undefined, Raw[]>();
      for (const s of all) {
        // A parent outside the file (remote, or lost) makes the span a root here.
        const parent = s.parentSpanId && spans.has(s.parentSpanId) ? s.parentSpanId : undefined;
        const list = children.get(parent) ?? [];
        list.push(s);
        children.set(parent, list);
      }
      const ordered: WaterfallSpan[] = [];
      const seen = new Set<string>();
      const visit = (list: Raw[], depth: number) => {
        for (const s of list.sort((x, y) => x.start - y.start || x.end - y.end)) {
          if (seen.has(s.spanId)) continue;
          seen.add(s.spanId);
          const { start, end, ...rest } = s;
          ordered.push({ ...rest, depth, startMs: start - first, durationMs: end - start });
          visit(children.get(s.spanId) ?? [], depth + 1);
        }
      };
      visit(children.get(undefined) ?? [], 0);
      // Spans whose parents form a cycle (a corrupt file) are drawn as roots rather than dropped.
      visit(
        all.filter((s) => !seen.has(s.spanId)),
        0,
      );
      out.set(traceId, {
        traceId,
        spans: ordered,
        omitted: this.omitted.get(traceId) ?? 0,
        durationMs: all.length ? last - first : 0,
      });
    }
    return out;
  }
}
