import { RightSizingCollector, type RightSizingReport, rightSizingSentence } from '@agentburn/cli';
import {
  ATTR_E2B_SANDBOX_ACTIVE_SECONDS,
  ATTR_E2B_SANDBOX_BILLED_SECONDS,
  ATTR_E2B_SANDBOX_CPU_COUNT,
  ATTR_E2B_SANDBOX_MEMORY_MIB,
  ATTR_GEN_AI_AGENT_NAME,
  SPAN_E2B_SANDBOX,
} from '@agentburn/core';
import { isLocalRoot, readTraceSummary, type TraceCostSummary } from '@agentburn/node';
import type { Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';

export interface Bill {
  /** The rollup the cost processor wrote on the agent's root span. */
  trace?: TraceCostSummary;
  billedSeconds: number;
  activeSeconds: number;
  /** The allocated sizes billed, as `2 vCPU, 2048 MiB` (one per distinct size). */
  sizes: string[];
  /** The sandboxes' sampled use against their size, as `agentburn report` shows it. */
  rightSizing: RightSizingReport;
}

/**
 * Reads one agent task's bill from the spans as they end: the trace rollup
 * from the agent's root span, billed and active seconds from the sandbox
 * running-interval spans. Registered after the CostSpanProcessor, it sees
 * every span already priced.
 */
export class BillCollector implements SpanProcessor {
  private readonly rightSizing = new RightSizingCollector();
  private readonly totals = { billedSeconds: 0, activeSeconds: 0, sizes: [] as string[] };
  private trace: TraceCostSummary | undefined;

  constructor(private readonly agentName: string) {}

  onStart(_span: Span, _context: Context): void {}

  onEnd(span: ReadableSpan): void {
    const attrs = span.attributes;
    if (span.name === SPAN_E2B_SANDBOX) {
      this.totals.billedSeconds += numberAttr(attrs[ATTR_E2B_SANDBOX_BILLED_SECONDS]);
      this.totals.activeSeconds += numberAttr(attrs[ATTR_E2B_SANDBOX_ACTIVE_SECONDS]);
      const size = `${numberAttr(attrs[ATTR_E2B_SANDBOX_CPU_COUNT])} vCPU, ${numberAttr(attrs[ATTR_E2B_SANDBOX_MEMORY_MIB])} MiB`;
      if (!this.totals.sizes.includes(size)) this.totals.sizes.push(size);
      this.rightSizing.add({
        name: span.name,
        attributes: attrs as Parameters<RightSizingCollector['add']>[0]['attributes'],
      });
    } else if (isLocalRoot(span) && attrs[ATTR_GEN_AI_AGENT_NAME] === this.agentName) {
      this.trace = readTraceSummary(span);
    }
  }

  get bill(): Bill {
    return { ...this.totals, ...(this.trace ? { trace: this.trace } : {}), rightSizing: this.rightSizing.result() };
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

const numberAttr = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

/**
 * Dollar amounts with one shared number of decimals (as many as the smallest
 * needs, up to eight, at least two), so the column lines up on the point.
 */
export function usdColumn(values: number[]): string[] {
  const decimals = (v: number) => v.toFixed(8).replace(/0+$/, '').split('.')[1]?.length ?? 0;
  const places = Math.max(2, ...values.map(decimals));
  return values.map((v) => `$${v.toFixed(places)}`);
}

export function formatBill(bill: Bill, iterations: number, simulated: boolean): string[] {
  const t = bill.trace;
  if (!t) return ['No bill: the agent span was not seen (was tracing registered before the agent ran?).'];
  const idle = bill.billedSeconds > 0 ? 1 - bill.activeSeconds / bill.billedSeconds : 0;
  const [llm, compute, total] = usdColumn([t.llmCostUsd, t.computeCostUsd, t.costUsd]);
  const rows: Array<[string, string, string]> = [
    ['LLM', llm!, `${t.llmCalls} call${t.llmCalls === 1 ? '' : 's'}`],
    [
      'compute',
      compute!,
      `${bill.sizes.length > 0 ? `${bill.sizes.join(' and ')}: ` : ''}${bill.billedSeconds} s billed, ${bill.activeSeconds} s active, idle share ${Math.round(idle * 100)}%`,
    ],
    ['total', total!, ''],
  ];
  const width = Math.max(...rows.map((r) => r[1].length));
  return [
    `Bill for this task${simulated ? ' (simulated services)' : ''}: ${iterations} iteration${iterations === 1 ? '' : 's'}`,
    ...rows.map(([label, amount, note]) => `  ${label.padEnd(8)} ${amount.padStart(width)}  ${note}`.trimEnd()),
    ...(t.unpricedSpans > 0 ? [`  ${t.unpricedSpans} unpriced span(s): their cost is unknown, not in the total`] : []),
    ...(t.complete ? [] : ['  (incomplete: some spend was recorded after the task ended)']),
    ...rightSizingLines(bill.rightSizing),
  ];
}

/** What the sandbox used against its size, or how to find out. */
function rightSizingLines(report: RightSizingReport): string[] {
  const sampled = report.groups.filter((g) => g.used);
  if (sampled.length) return ['', ...sampled.map((g) => `Right-sizing: ${rightSizingSentence(g)}`)];
  if (!report.unsampled.intervals) return [];
  return ['', 'Right-sizing: sandbox use not sampled; AGENTBURN_SANDBOX_SAMPLE_SECONDS=5 samples it.'];
}
