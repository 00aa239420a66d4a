import { ENV_SANDBOX_SAMPLE_SECONDS } from '@agentburn/core';
import type { SpendReport } from './aggregate';
import { groupLabel, type RightSizingGroup, type RightSizingReport, sizeLabel } from './right-sizing';

/**
 * Dollars with as many decimals as the amount needs (prices per token are
 * fractions of a cent), at least two and at most eight: `$0.0075`, `$12.50`.
 */
export function formatUsd(usd: number): string {
  const fixed = Math.abs(usd).toFixed(8).replace(/0+$/, '');
  const [whole = '0', frac = ''] = fixed.split('.');
  return `${usd < 0 ? '-' : ''}$${whole}.${frac.padEnd(2, '0')}`;
}

/** A column of dollar amounts with one shared number of decimals, so the points line up. */
export function formatUsdColumn(values: number[]): string[] {
  const decimals = Math.max(2, ...values.map((v) => formatUsd(v).split('.')[1]!.length));
  return values.map((v) => `${v < 0 ? '-' : ''}$${Math.abs(v).toFixed(decimals)}`);
}

export const formatPercent = (share: number): string => `${Math.round(share * 100)}%`;

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** Left-aligned text columns, right-aligned numbers; two spaces between columns. */
export function table(head: string[], rows: string[][], numeric: boolean[]): string[] {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (numeric[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(head), ...rows.map(line)].map((l) => `  ${l}`);
}

/** Rows of a table whose money columns (`keys`) are formatted column by column, points aligned. */
function withMoney<T>(rows: T[], keys: Array<keyof T>, row: (r: T, money: string[]) => string[]): string[][] {
  const columns = keys.map((k) => formatUsdColumn(rows.map((r) => r[k] as number)));
  return rows.map((r, i) =>
    row(
      r,
      columns.map((c) => c[i]!),
    ),
  );
}

/** The groups a report can be broken down by (`--by`). */
export const GROUPS = ['trace', 'agent', 'model', 'day'] as const;
export type Group = (typeof GROUPS)[number];

/**
 * Limits each group of the report to its `top` most expensive entries (days:
 * the `top` most recent), and to the group `by` alone when given.
 */
export function limitReport(report: SpendReport, top?: number, by?: Group): SpendReport {
  const keep = (group: Group) => by === undefined || by === group;
  const cut = <T>(rows: T[], group: Group) => (keep(group) ? (top === undefined ? rows : rows.slice(0, top)) : []);
  return {
    ...report,
    traces: cut(report.traces, 'trace'),
    agents: cut(report.agents, 'agent'),
    models: cut(report.models, 'model'),
    days: keep('day') ? (top === undefined ? report.days : report.days.slice(-top)) : [],
    rightSizing: {
      ...report.rightSizing,
      groups:
        by !== undefined ? [] : top === undefined ? report.rightSizing.groups : report.rightSizing.groups.slice(0, top),
    },
  };
}

/** The human-readable report. `top` limits each table (all rows when undefined). */
export function formatReport(report: SpendReport, source: string, top?: number, by?: Group): string {
  const { totals: t, compute: c } = report;
  const shown = limitReport(report, top, by);
  const out: string[] = [];

  const skipped =
    (t.skippedLines ? `, ${plural(t.skippedLines, 'malformed line')} skipped` : '') +
    (t.skippedSpans ? `, ${plural(t.skippedSpans, 'span')} with an invalid cost skipped` : '') +
    (t.duplicateSpans ? `, ${plural(t.duplicateSpans, 'duplicate span')} counted once` : '');
  out.push(`agentburn report: ${source}`);
  out.push(`  ${plural(t.traces, 'trace')}, ${plural(t.spans, 'span')} in ${plural(t.lines, 'line')}${skipped}`);
  out.push('');

  const idle = c.idleShare !== undefined ? `, ${formatPercent(c.idleShare)} idle` : '';
  const [llmUsd, computeUsd, totalUsd] = formatUsdColumn([t.llmUsd, t.computeUsd, t.costUsd]);
  out.push(
    ...table(
      ['', 'spend', ''],
      [
        ['LLM', llmUsd!, plural(t.llmCalls, 'call')],
        ['compute', computeUsd!, `${plural(c.intervals, 'sandbox interval')}, ${c.billedSeconds} s billed${idle}`],
        ['total', totalUsd!, ''],
      ],
      [false, true, false],
    ),
  );
  if (t.unpricedSpans) out.push(`  ${plural(t.unpricedSpans, 'unpriced span')}: cost unknown, not in the total`);

  const section = (title: string, total: number, rows: string[]) => {
    const shownRows = rows.length - 1; // minus the header
    out.push('', shownRows < total ? `${title} (top ${shownRows} of ${total})` : title, ...rows);
  };

  if (shown.traces.length) {
    section(
      'Traces',
      report.traces.length,
      table(
        ['trace', 'root span', 'agent', 'LLM', 'compute', 'total', 'runs', 'unpriced'],
        withMoney(shown.traces, ['llmUsd', 'computeUsd', 'costUsd'], (r, [llm, compute, total]) => [
          r.traceId,
          r.rootSpan ?? '',
          r.agents.join(', '),
          llm!,
          compute!,
          total!,
          String(r.sandboxRuns),
          String(r.unpricedSpans),
        ]),
        [false, false, false, true, true, true, true, true],
      ),
    );
  }
  if (shown.agents.length) {
    section(
      'Agents',
      report.agents.length,
      table(
        ['agent', 'LLM', 'compute', 'total', 'LLM calls', 'unpriced'],
        withMoney(shown.agents, ['llmUsd', 'computeUsd', 'costUsd'], (r, [llm, compute, total]) => [
          r.agent,
          llm!,
          compute!,
          total!,
          String(r.llmCalls),
          String(r.unpricedSpans),
        ]),
        [false, true, true, true, true, true],
      ),
    );
  }
  if (shown.models.length) {
    section(
      'Models',
      report.models.length,
      table(
        ['model', 'provider', 'calls', 'input tokens', 'output tokens', 'cost', 'unpriced'],
        withMoney(shown.models, ['costUsd'], (r, [cost]) => [
          r.model,
          r.provider ?? '',
          String(r.calls),
          String(r.inputTokens),
          String(r.outputTokens),
          // No call priced: the cost is unknown, not zero.
          r.unpricedCalls === r.calls ? 'unknown' : cost!,
          String(r.unpricedCalls),
        ]),
        [false, false, true, true, true, true, true],
      ),
    );
  }
  if (shown.days.length) {
    section(
      'Days (UTC)',
      report.days.length,
      table(
        ['day', 'LLM', 'compute', 'total', 'LLM calls', 'runs', 'unpriced'],
        withMoney(shown.days, ['llmUsd', 'computeUsd', 'costUsd'], (r, [llm, compute, total]) => [
          r.day,
          llm!,
          compute!,
          total!,
          String(r.llmCalls),
          String(r.sandboxRuns),
          String(r.unpricedSpans),
        ]),
        [false, true, true, true, true, true, true],
      ),
    );
  }
  if (by === undefined) out.push(...formatRightSizing(report.rightSizing, shown.rightSizing.groups));
  return `${out.join('\n')}\n`;
}

/** vCPUs as sampled: up to three decimals, no trailing zeros (`0.4`, `1.25`). */
export const formatVcpus = (n: number): string => String(Math.round(n * 1000) / 1000);

/** `-50%`; a saving under half a percent still reads as one (`-<1%`), never as `-0%`. */
export const formatSaving = (share: number): string =>
  share > 0 && share < 0.005 ? '-<1%' : `-${formatPercent(share)}`;

/**
 * One sentence per group: "e2b code-interpreter-v1: 2 vCPU / 2 GiB allocated,
 * peak 0.4 vCPU / 610 MiB, CPU 92% idle: 1 vCPU / 1 GiB would have cost
 * $0.0185 less, -50%".
 */
export function rightSizingSentence(g: RightSizingGroup): string {
  const head = `${groupLabel(g)}: ${sizeLabel(g.allocated)} allocated`;
  if (!g.used) return `${head}: not sampled, use unknown`;
  const use = `${head}, peak ${formatVcpus(g.used.peakVcpu)} vCPU / ${g.used.peakMemoryMib} MiB${
    g.cpuIdleShare === null ? '' : `, CPU ${formatPercent(g.cpuIdleShare)} idle`
  }`;
  switch (g.verdict) {
    case 'smaller-size':
      return `${use}: ${sizeLabel(g.smallest!)} would have cost ${formatUsd(g.smallest!.savedUsd)} less, ${formatSaving(g.smallest!.savedShare)}`;
    case 'right-sized':
      return `${use}: already the cheapest size that holds the peak`;
    case 'no-size-holds-peak':
      return `${use}: no size ${g.provider} offers holds the peak`;
    case 'sizes-unknown':
      return `${use}: the sizes ${g.provider} offers are not known here, no suggestion`;
    default:
      return `${use}: no rates for ${g.provider}, not priced`;
  }
}

/** What was sampled, in a few words: "2 intervals sampled (20 samples, 1000 s billed, $0.037 at this size); 1 not sampled (60 s)". */
function rightSizingDetail(g: RightSizingGroup): string {
  const parts: string[] = [];
  if (g.sampled.intervals) {
    const cost = g.costUsd === null ? '' : `, ${formatUsd(g.costUsd)} at this size`;
    parts.push(
      `${plural(g.sampled.intervals, 'interval')} sampled (${plural(g.sampled.samples, 'sample')}, ${g.sampled.billedSeconds} s billed${cost})`,
    );
  }
  if (g.unsampled.intervals)
    parts.push(
      `${g.sampled.intervals ? g.unsampled.intervals : plural(g.unsampled.intervals, 'interval')} not sampled (${g.unsampled.billedSeconds} s billed)`,
    );
  return parts.join('; ');
}

/** The right-sizing section of the text report: one sentence per group, then what was not sampled and how to sample it. */
export function formatRightSizing(report: RightSizingReport, groups = report.groups): string[] {
  if (!report.groups.length && !report.unreadable) return [];
  const sampling = `Sampling is off by default: set ${ENV_SANDBOX_SAMPLE_SECONDS}=5 where the sandboxes run (or the E2B instrumentation's sampleUsageEverySeconds).`;
  const unreadable = report.unreadable
    ? [
        `  ${plural(report.unreadable, 'interval')} left out: size, billed seconds or sample attributes are not usable numbers`,
      ]
    : [];
  if (!report.groups.some((g) => g.used)) {
    // Nothing sampled at all: one note, not a line per template.
    const { intervals, billedSeconds } = report.unsampled;
    return [
      '',
      intervals
        ? `Right-sizing: no sandbox interval was sampled (${plural(intervals, 'interval')}, ${billedSeconds} s billed), so their use is unknown.`
        : 'Right-sizing: no sandbox interval could be read.',
      ...(intervals ? [`  ${sampling}`] : []),
      ...unreadable,
    ];
  }
  const shownOf = groups.length < report.groups.length ? ` (top ${groups.length} of ${report.groups.length})` : '';
  const out = ['', `Right-sizing: sampled use against the allocated size${shownOf}`];
  for (const g of groups) out.push(`  ${rightSizingSentence(g)}`, `    ${rightSizingDetail(g)}`);
  const savers = report.groups.filter((g) => g.smallest).length;
  if (savers > 1) out.push(`  in all: ${formatUsd(report.savedUsd)} less at the smallest sizes that hold each peak`);
  if (report.unsampled.intervals)
    out.push(
      `  ${plural(report.unsampled.intervals, 'interval')} (${report.unsampled.billedSeconds} s billed) not sampled: their use is unknown, so they are left out.`,
      `  ${sampling}`,
    );
  return [...out, ...unreadable];
}

/** The machine-readable report: one JSON document, the source and the limited report. */
export function reportToJson(report: SpendReport, source: string, top?: number, by?: Group): string {
  const limited = limitReport(report, top, by);
  const groups = { traces: 'trace', agents: 'agent', models: 'model', days: 'day' } as const;
  for (const [key, group] of Object.entries(groups))
    if (by !== undefined && by !== group) delete limited[key as keyof typeof groups];
  if (by !== undefined) delete (limited as Partial<SpendReport>).rightSizing;
  return `${JSON.stringify({ source, ...limited }, null, 2)}\n`;
}
