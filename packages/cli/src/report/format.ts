import type { SpendReport } from './aggregate';

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
  return `${out.join('\n')}\n`;
}

/** The machine-readable report: one JSON document, the source and the limited report. */
export function reportToJson(report: SpendReport, source: string, top?: number, by?: Group): string {
  const limited = limitReport(report, top, by);
  const groups = { traces: 'trace', agents: 'agent', models: 'model', days: 'day' } as const;
  for (const [key, group] of Object.entries(groups))
    if (by !== undefined && by !== group) delete limited[key as keyof typeof groups];
  return `${JSON.stringify({ source, ...limited }, null, 2)}\n`;
}
