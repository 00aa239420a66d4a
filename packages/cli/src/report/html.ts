import { ENV_SANDBOX_SAMPLE_SECONDS } from '@agentburn/core';
import type { HourSpend, SpendReport, UnpricedCalls } from './aggregate';
import { formatPercent, formatSaving, formatUsd, formatUsdColumn, formatVcpus } from './format';
import { groupLabel, type RightSizingGroup, type RightSizingReport, sizeLabel } from './right-sizing';
import type { TraceWaterfall, WaterfallSpan } from './waterfall';

/**
 * The report as one self-contained HTML page: inline CSS, charts drawn here
 * as SVG, a few lines of script to pick a trace. Nothing is fetched when it
 * opens; its size follows the number of traces shown, not the file read.
 */
export interface HtmlReportInput {
  report: SpendReport;
  hourly: HourSpend[];
  unpriced: UnpricedCalls[];
  /** The traces that get a waterfall, most expensive first. */
  waterfalls: TraceWaterfall[];
  source: string;
  /** Rows of the model, agent and trace tables. */
  top: number;
  generatedAt: Date;
}

const LLM = '#e8590c';
const COMPUTE = '#1971c2';

const esc = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const money = (usd: number) => esc(formatUsd(usd));

export function renderHtmlReport(input: HtmlReportInput): string {
  const { report, top } = input;
  const t = report.totals;
  const c = report.compute;
  const priced = t.llmCalls - t.unpricedSpans;
  const kpi = (id: string, label: string, value: string, note = '') =>
    `<div class="kpi"><div class="label">${label}</div><div class="value" data-testid="${id}">${value}</div><div class="note">${note}</div></div>`;
  const tracesWithRuns = report.traces.filter((r) => r.sandboxRuns > 0);
  const iterations = tracesWithRuns.length
    ? (tracesWithRuns.reduce((sum, r) => sum + r.sandboxRuns, 0) / tracesWithRuns.length).toFixed(1)
    : '–';

  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>agentburn report: ${money(t.costUsd)}</title>
<style>${CSS}</style></head>
<body>
<header><h1>Where the money went <span class="total">${money(t.costUsd)}</span></h1>
<p class="meta">${esc(input.source)} · ${t.traces} traces · ${t.spans} spans · generated ${esc(input.generatedAt.toISOString().slice(0, 16).replace('T', ' '))} UTC${skippedNote(report)}</p></header>
<section class="kpis">
${kpi('total', 'Total spend', money(t.costUsd), `${t.traces} traces`)}
${kpi('llm-total', '<i class="dot llm"></i>LLM', money(t.llmUsd), `${t.llmCalls} calls, ${priced} priced`)}
${kpi('compute-total', '<i class="dot compute"></i>Sandbox compute', money(t.computeUsd), `${c.intervals} interval${c.intervals === 1 ? '' : 's'}, ${c.billedSeconds} s billed`)}
${kpi('idle-share', 'Sandbox idle', c.idleShare === undefined ? '–' : formatPercent(c.idleShare), 'of billed seconds outside operations')}
${kpi('iterations', 'Iterations per task', iterations, `${t.sandboxRuns} sandbox runs in ${tracesWithRuns.length} traces`)}
${kpi('unpriced-calls', 'Unpriced calls', String(t.unpricedSpans), t.unpricedSpans ? 'not in the totals' : 'every call priced')}
</section>
<section class="card"><h2>Spend over time</h2>${timeChart(input.hourly)}</section>
<div class="cols">
<section class="card"><h2>By model</h2>${barTable(
    report.models.slice(0, top).map((m) => ({
      label: m.model,
      value: m.costUsd,
      color: LLM,
      cells: [String(m.calls), tokens(m.inputTokens), tokens(m.outputTokens)],
      unknown: m.unpricedCalls === m.calls,
    })),
    ['calls', 'in tok', 'out tok'],
    'model',
  )}</section>
<section class="card"><h2>By agent</h2>${barTable(
    report.agents.slice(0, top).map((a) => ({
      label: a.agent,
      value: a.costUsd,
      color: a.llmUsd >= a.computeUsd ? LLM : COMPUTE,
      split: a.costUsd > 0 ? a.llmUsd / a.costUsd : undefined,
      cells: [String(a.llmCalls), a.computeUsd > 0 ? money(a.computeUsd) : '–'],
    })),
    ['LLM calls', 'compute'],
    'agent',
  )}</section>
</div>
${c.intervals ? `<section class="card" id="right-sizing"><h2>Right-sizing <span class="hint">sampled use against the allocated size</span></h2>${rightSizingSection(report.rightSizing, top)}</section>` : ''}
<section class="card"><h2>Top traces <span class="hint">click one for its waterfall</span></h2>${traceTable(report, top)}</section>
<section class="card" id="waterfall"><h2>Waterfall</h2>${input.waterfalls.map((w, i) => waterfall(w, i === 0)).join('\n')}${
    input.waterfalls.length ? '' : '<p class="empty">No spans to draw (read from stdin, or no traces).</p>'
  }
<p class="legend"><i class="dot llm"></i>LLM call (darker costs more) <i class="dot compute"></i>sandbox running, <i class="dot idle"></i>its idle share <i class="dot op"></i>sandbox operation <i class="dot agent"></i>agent / other</p></section>
<section class="card"><h2>Unpriced calls and why</h2>${unpricedTable(input.unpriced)}</section>
<script>${SCRIPT}</script>
</body></html>
`;
}

function skippedNote(report: SpendReport): string {
  const t = report.totals;
  const parts: string[] = [];
  if (t.skippedLines) parts.push(`${t.skippedLines} malformed lines skipped`);
  if (t.skippedSpans) parts.push(`${t.skippedSpans} spans with an invalid cost skipped`);
  if (t.duplicateSpans) parts.push(`${t.duplicateSpans} duplicate spans counted once`);
  return parts.length ? ` · <span class="warn">${parts.join(', ')}</span>` : '';
}

const tokens = (n: number) =>
  n >= 1e6 ? `${(n / 1e6).toFixed(1)}M` : n >= 1e4 ? `${Math.round(n / 1e3)}k` : String(n);

interface BarRow {
  label: string;
  value: number;
  color: string;
  /** LLM share of the bar (the rest is compute). */
  split?: number;
  cells: string[];
  unknown?: boolean;
}

/** A table whose first column carries a bar proportional to the row's spend. */
function barTable(rows: BarRow[], heads: string[], testid: string): string {
  if (!rows.length) return '<p class="empty">Nothing yet.</p>';
  const max = Math.max(...rows.map((r) => r.value), 1e-12);
  const body = rows
    .map((r) => {
      const width = (r.value / max) * 100;
      const bar =
        r.split === undefined
          ? `<span class="bar" style="width:${width.toFixed(2)}%;background:${r.color}"></span>`
          : `<span class="bar" style="width:${width.toFixed(2)}%;background:linear-gradient(90deg,${LLM} ${(r.split * 100).toFixed(1)}%,${COMPUTE} 0)"></span>`;
      return `<tr data-${testid}="${esc(r.label)}"><td class="name"><div class="barcell">${bar}<span>${esc(r.label)}</span></div></td><td class="num cost">${r.unknown ? 'unknown' : money(r.value)}</td>${r.cells.map((c) => `<td class="num">${esc(c)}</td>`).join('')}</tr>`;
    })
    .join('');
  return `<table class="bars"><thead><tr><th></th><th class="num">spend</th>${heads.map((h) => `<th class="num">${h}</th>`).join('')}</tr></thead><tbody>${body}</tbody></table>`;
}

function traceTable(report: SpendReport, top: number): string {
  if (!report.traces.length) return '<p class="empty">No traces.</p>';
  const shown = report.traces.slice(0, top);
  // One number of decimals per column, so the points line up.
  const [llm, compute, total] = (['llmUsd', 'computeUsd', 'costUsd'] as const).map((k) =>
    formatUsdColumn(shown.map((r) => r[k])).map((cell, i) => (shown[i]![k] === 0 ? '–' : cell)),
  );
  const rows = shown
    .map(
      (r, i) =>
        `<tr data-trace-id="${esc(r.traceId)}"${i === 0 ? ' class="selected"' : ''}><td class="mono" title="${esc(r.traceId)}">${esc(r.traceId.slice(0, 12))}</td><td>${esc(r.rootSpan ?? '')}</td><td>${esc(r.agents.join(', '))}</td><td class="num">${llm![i]}</td><td class="num">${compute![i]}</td><td class="num cost">${total![i]}</td><td class="num">${r.llmCalls}</td><td class="num">${r.sandboxRuns}</td><td class="num">${r.unpricedSpans || ''}</td></tr>`,
    )
    .join('');
  const more =
    report.traces.length > top
      ? `<p class="hint">${report.traces.length - top} cheaper traces not listed (--top).</p>`
      : '';
  return `<table class="traces"><thead><tr><th>trace</th><th>root span</th><th>agent</th><th class="num">LLM</th><th class="num">compute</th><th class="num">total</th><th class="num">LLM calls</th><th class="num">iterations</th><th class="num">unpriced</th></tr></thead><tbody>${rows}</tbody></table>${more}`;
}

const pct = (part: number, whole: number) => `${(Math.min(1, whole > 0 ? part / whole : 0) * 100).toFixed(1)}%`;

/** A bar of the allocation with what was used inside it: the peak, and (for CPU) the mean darker. */
function meter(kind: string, allocated: number, peak: number, mean?: number): string {
  const avg = mean === undefined ? '' : `<span class="mean" style="width:${pct(mean, allocated)}"></span>`;
  return `<span class="meter" data-meter="${kind}"><span class="peak" style="width:${pct(peak, allocated)}"></span>${avg}</span>`;
}

function rightSizingRow(g: RightSizingGroup): string {
  const label = groupLabel(g);
  const head = `<tr data-rightsizing="${esc(label)}" data-verdict="${g.verdict}"><td class="name">${esc(label)}</td><td class="alloc">${esc(sizeLabel(g.allocated))}</td>`;
  if (!g.used) {
    return `${head}<td colspan="6" class="unsampled">not sampled: use unknown (${g.unsampled.intervals} interval${g.unsampled.intervals === 1 ? '' : 's'}, ${g.unsampled.billedSeconds} s billed)</td></tr>`;
  }
  const used = `<td class="used"><div class="userow">${meter('cpu', g.allocated.vcpu, g.used.peakVcpu, g.used.cpuAvgVcpu)}<span class="usetext">CPU peak ${formatVcpus(g.used.peakVcpu)}, mean ${formatVcpus(g.used.cpuAvgVcpu)} vCPU</span></div><div class="userow">${meter('memory', g.allocated.memoryMib, g.used.peakMemoryMib)}<span class="usetext">memory peak ${g.used.peakMemoryMib} MiB</span></div></td>`;
  const sampled = `${g.sampled.intervals} interval${g.sampled.intervals === 1 ? '' : 's'}, ${g.sampled.billedSeconds} s${g.unsampled.intervals ? ` <span class="hint">(+${g.unsampled.intervals} not sampled)</span>` : ''}`;
  let smallest: string;
  let saving = '–';
  switch (g.verdict) {
    case 'smaller-size':
      smallest = `<b>${esc(sizeLabel(g.smallest!))}</b><br><span class="hint">would have cost ${money(g.smallest!.costUsd)}</span>`;
      saving = `${money(g.smallest!.savedUsd)} <span class="share">${formatSaving(g.smallest!.savedShare)}</span>`;
      break;
    case 'right-sized':
      smallest = 'already the cheapest that holds it';
      break;
    case 'no-size-holds-peak':
      smallest = `no ${esc(g.provider)} size holds the peak`;
      break;
    case 'sizes-unknown':
      smallest = `${esc(g.provider)} sizes not known`;
      break;
    default:
      smallest = `no rates for ${esc(g.provider)}`;
  }
  return `${head}${used}<td class="num idle">${g.cpuIdleShare === null ? '–' : formatPercent(g.cpuIdleShare)}</td><td class="num sampled">${sampled}</td><td class="num cost">${g.costUsd === null ? 'unpriced' : money(g.costUsd)}</td><td class="smallest">${smallest}</td><td class="num saving">${saving}</td></tr>`;
}

const SAMPLING_NOTE = `Sampling is off by default: set <code>${ENV_SANDBOX_SAMPLE_SECONDS}=5</code> where the sandboxes run (or the E2B instrumentation's <code>sampleUsageEverySeconds</code>).`;

function rightSizingSection(report: RightSizingReport, top: number): string {
  const plural = (n: number) => `${n} interval${n === 1 ? '' : 's'}`;
  const { intervals, billedSeconds } = report.unsampled;
  const unreadable = report.unreadable
    ? `<p class="hint warn">${plural(report.unreadable)} left out: size, billed seconds or sample attributes are not usable numbers.</p>`
    : '';
  if (!report.groups.length) return `<p class="empty">No sandbox interval could be read.</p>${unreadable}`;
  if (!report.groups.some((g) => g.used)) {
    // Nothing sampled: one notice, not a table of empty rows.
    return `<p class="empty" data-testid="rs-not-sampled">No sandbox interval was sampled (${plural(intervals)}, ${billedSeconds} s billed), so their use is unknown.</p><p class="hint">${SAMPLING_NOTE}</p>${unreadable}`;
  }
  const unsampled = intervals
    ? `<p class="hint">${plural(intervals)} (${billedSeconds} s billed) not sampled: their use is unknown, so they are left out. ${SAMPLING_NOTE}</p>`
    : '';
  const footer = unsampled + unreadable;
  const shown = report.groups.slice(0, top);
  const summary = report.savedUsd
    ? `<p class="rs-summary">At the smallest size that held each peak, the sampled sandboxes would have cost <b data-testid="rs-saved">${money(report.savedUsd)}</b> less.</p>`
    : '<p class="rs-summary">Every sampled sandbox already runs at the cheapest size that holds its peak.</p>';
  const more =
    report.groups.length > top
      ? `<p class="hint">${report.groups.length - top} more groups not listed (--top).</p>`
      : '';
  return `${summary}<div class="rs-wrap"><table class="rs"><thead><tr><th>sandbox</th><th>allocated</th><th>used of the allocation <span class="legend-inline"><i class="dot peak"></i>peak <i class="dot mean"></i>mean</span></th><th class="num">CPU idle</th><th class="num">sampled</th><th class="num">cost</th><th>smallest size holding the peak</th><th class="num">saving</th></tr></thead><tbody>${shown.map(rightSizingRow).join('')}</tbody></table></div>${more}${footer}`;
}

function unpricedTable(rows: UnpricedCalls[]): string {
  if (!rows.length) return '<p class="empty">Every call was priced.</p>';
  return `<table><thead><tr><th>model</th><th>status</th><th>reason</th><th class="num">calls</th></tr></thead><tbody>${rows
    .map(
      (r) =>
        `<tr data-unpriced="${esc(r.model)}"><td>${esc(r.model)}</td><td>${esc(r.status)}</td><td>${esc(r.reason)}</td><td class="num">${r.calls}</td></tr>`,
    )
    .join(
      '',
    )}</tbody></table><p class="hint">A model without a price gets one in AGENTBURN_PRICES_FILE; usage_missing means the call ended before the provider reported tokens.</p>`;
}

/** Stacked LLM/compute bars per hour (up to three days) or per day, gaps included. */
function timeChart(hourly: HourSpend[]): string {
  if (!hourly.length) return '<p class="empty">No priced spans.</p>';
  const HOUR = 3_600_000;
  const first = hourly[0]!.hourUnixMs;
  const last = hourly.at(-1)!.hourUnixMs;
  const step =
    last - first <= 72 * HOUR ? HOUR : 24 * HOUR * Math.max(1, Math.ceil((last - first) / (24 * HOUR) / 180));
  const start = Math.floor(first / step) * step;
  const count = Math.floor((last - start) / step) + 1;
  const buckets = Array.from({ length: count }, (_, i) => ({ at: start + i * step, llm: 0, compute: 0 }));
  for (const h of hourly) {
    const b = buckets[Math.floor((h.hourUnixMs - start) / step)]!;
    b.llm += h.llmUsd;
    b.compute += h.computeUsd;
  }
  const W = 1000;
  const H = 200;
  const left = 80;
  const bottom = 24;
  const max = niceCeiling(Math.max(...buckets.map((b) => b.llm + b.compute), 1e-12));
  const slot = (W - left) / count;
  const bw = Math.max(1, Math.min(40, slot * 0.8));
  const topPad = 12;
  const y = (v: number) => topPad + (H - bottom - topPad) * (1 - v / max);
  const label = (at: number) => {
    const iso = new Date(at).toISOString();
    return step < 24 * HOUR ? `${iso.slice(5, 10)} ${iso.slice(11, 13)}h` : iso.slice(0, 10);
  };
  const every = Math.max(1, Math.ceil(count / 8));
  const grid = [0.5, 1]
    .map(
      (f) =>
        `<line x1="${left}" x2="${W}" y1="${y(max * f)}" y2="${y(max * f)}" class="grid"/><text x="${left - 6}" y="${y(max * f) + 4}" text-anchor="end">${money(max * f)}</text>`,
    )
    .join('');
  const bars = buckets
    .map((b, i) => {
      const x = left + i * slot + (slot - bw) / 2;
      const title = `<title>${label(b.at)}: LLM ${formatUsd(b.llm)}, compute ${formatUsd(b.compute)}</title>`;
      const llmH = (H - bottom - topPad) * (b.llm / max);
      const compH = (H - bottom - topPad) * (b.compute / max);
      const tick =
        i % every === 0 ? `<text x="${x + bw / 2}" y="${H - 6}" text-anchor="middle">${label(b.at)}</text>` : '';
      return `<g>${title}<rect x="${x}" y="${H - bottom - compH}" width="${bw}" height="${compH}" fill="${COMPUTE}"/><rect x="${x}" y="${H - bottom - compH - llmH}" width="${bw}" height="${llmH}" fill="${LLM}"/></g>${tick}`;
    })
    .join('');
  return `<svg class="chart" viewBox="0 0 ${W} ${H}" role="img" aria-label="spend over time">${grid}<line x1="${left}" x2="${W}" y1="${H - bottom}" y2="${H - bottom}" class="axis"/>${bars}</svg><p class="legend"><i class="dot llm"></i>LLM <i class="dot compute"></i>sandbox compute · per ${step === HOUR ? 'hour' : step === 24 * HOUR ? 'day' : `${step / (24 * HOUR)} days`} (UTC)</p>`;
}

/** The smallest 1, 2, 2.5 or 5 x 10^k at or above `v`: an axis top whose labels read cleanly. */
function niceCeiling(v: number): number {
  const magnitude = 10 ** Math.floor(Math.log10(v));
  const step = [1, 2, 2.5, 5, 10].find((m) => m * magnitude >= v * (1 - 1e-9))!;
  return Number((step * magnitude).toPrecision(12));
}

const duration = (ms: number) =>
  ms < 1000 ? `${Math.round(ms)} ms` : ms < 60_000 ? `${(ms / 1000).toFixed(1)} s` : `${(ms / 60_000).toFixed(1)} min`;

/** One trace: a row per span, bars on a shared time axis, coloured by what the span cost. */
function waterfall(w: TraceWaterfall, shown: boolean): string {
  const ROW = 22;
  const LABEL = 330;
  const W = 1000;
  const span = Math.max(w.durationMs, 1);
  const x = (ms: number) => LABEL + ((W - LABEL - 90) * ms) / span;
  const maxLlm = Math.max(0, ...w.spans.filter((s) => s.kind === 'llm').map((s) => s.costUsd ?? 0));
  const total = w.spans.reduce((sum, s) => sum + (s.costUsd ?? 0), 0);
  const rows = w.spans.map((s, i) => row(s, i, maxLlm, x)).join('');
  const H = w.spans.length * ROW + 28;
  const ticks = [0, 0.25, 0.5, 0.75, 1]
    .map(
      (f) =>
        `<line x1="${x(span * f)}" x2="${x(span * f)}" y1="18" y2="${H}" class="grid"/><text x="${x(span * f)}" y="12" text-anchor="middle">${duration(span * f)}</text>`,
    )
    .join('');
  const omitted = w.omitted ? `<p class="hint">${w.omitted} more spans of this trace not drawn.</p>` : '';
  return `<div class="wf" data-waterfall="${esc(w.traceId)}"${shown ? '' : ' hidden'}><p class="wfhead">trace <span class="mono">${esc(w.traceId)}</span> · ${duration(w.durationMs)} · <b data-testid="waterfall-total">${money(total)}</b></p><svg viewBox="0 0 ${W} ${H}" width="100%">${PATTERN}${ticks}${rows}</svg>${omitted}</div>`;
}

function row(s: WaterfallSpan, i: number, maxLlm: number, x: (ms: number) => number): string {
  const y = 24 + i * 22;
  const x0 = x(s.startMs);
  const width = Math.max(2, x(s.startMs + s.durationMs) - x0);
  let bar: string;
  if (s.kind === 'llm') {
    const strength = maxLlm > 0 && s.costUsd ? 0.35 + 0.65 * (s.costUsd / maxLlm) : 0.35;
    const unpriced = s.status && s.status !== 'priced' ? ' class="unpriced"' : '';
    bar = `<rect x="${x0}" y="${y}" width="${width}" height="16" rx="2" fill="${LLM}" fill-opacity="${strength.toFixed(2)}"${unpriced}/>`;
  } else if (s.kind === 'compute') {
    const active = s.billedSeconds ? Math.min(1, (s.activeSeconds ?? 0) / s.billedSeconds) : 1;
    bar = `<rect x="${x0}" y="${y}" width="${width}" height="16" rx="2" fill="url(#idle)"/><rect x="${x0}" y="${y}" width="${width * active}" height="16" rx="2" fill="${COMPUTE}"/>`;
  } else {
    bar = `<rect x="${x0}" y="${y + 4}" width="${width}" height="8" rx="2" class="${s.kind === 'operation' ? 'op' : 'other'}"/>`;
  }
  const idle =
    s.kind === 'compute' && s.billedSeconds
      ? ` · ${s.billedSeconds} s billed, ${formatPercent(1 - Math.min(1, (s.activeSeconds ?? 0) / s.billedSeconds))} idle`
      : '';
  const why = s.status && s.status !== 'priced' ? ` · ${s.status}${s.reason ? `: ${s.reason}` : ''}` : '';
  const cost = s.costUsd !== undefined ? money(s.costUsd) : s.status && s.status !== 'priced' ? 'unpriced' : '';
  const name = s.name.length > 44 ? `${s.name.slice(0, 43)}…` : s.name;
  return `<g data-span-id="${esc(s.spanId)}" data-kind="${s.kind}"${s.costUsd !== undefined ? ` data-cost="${s.costUsd}"` : ''}><title>${esc(s.name)}${s.model ? ` (${esc(s.model)})` : ''} · ${duration(s.durationMs)}${s.costUsd !== undefined ? ` · ${money(s.costUsd)}` : ''}${idle}${why}</title><text x="${4 + s.depth * 14}" y="${y + 12}" class="${s.kind}">${esc(name)}</text>${bar}<text x="${x0 + width + 6}" y="${y + 12}" class="cost">${cost}</text></g>`;
}

const PATTERN = `<defs><pattern id="idle" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#d0e3f7"/><line x1="0" y1="0" x2="0" y2="6" stroke="#74a9de" stroke-width="2"/></pattern></defs>`;

const CSS = `
*{box-sizing:border-box}body{margin:0;padding:24px 32px;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#212529;background:#f4f5f7}
h1{font-size:22px;margin:0 0 4px}h1 .total{color:${LLM};margin-left:8px}h2{font-size:15px;margin:0 0 12px}
.meta,.hint{color:#6c757d;font-size:12px;font-weight:normal}.warn{color:#c92a2a}
.kpis{display:grid;grid-template-columns:repeat(6,1fr);gap:12px;margin:16px 0}
.kpi,.card{background:#fff;border-radius:8px;box-shadow:0 1px 2px rgba(0,0,0,.08)}
.kpi{padding:12px 14px}.kpi .label{color:#6c757d;font-size:12px}.kpi .value{font-size:22px;font-weight:600;font-variant-numeric:tabular-nums}.kpi .note{color:#868e96;font-size:11px}
.card{padding:16px 18px;margin-bottom:16px}.cols{display:grid;grid-template-columns:1fr 1fr;gap:16px}.cols .card{margin-bottom:16px}
table{border-collapse:collapse;width:100%;font-variant-numeric:tabular-nums}th{text-align:left;color:#6c757d;font-weight:500;font-size:12px;border-bottom:1px solid #dee2e6;padding:4px 8px}
td{padding:5px 8px;border-bottom:1px solid #f1f3f5}.num{text-align:right;white-space:nowrap}.cost{font-weight:600}.mono{font-family:ui-monospace,Menlo,monospace;font-size:12px}
.barcell{position:relative;min-width:160px}.barcell .bar{position:absolute;left:0;top:1px;bottom:1px;border-radius:3px;opacity:.22}.barcell span:last-child{position:relative}
table.traces tbody tr{cursor:pointer}table.traces tbody tr:hover{background:#fff4e6}table.traces tr.selected{background:#ffe8cc}
svg text{font-size:11px;fill:#495057}svg .grid{stroke:#e9ecef}svg .axis{stroke:#adb5bd}svg text.cost{font-weight:600;fill:#212529}
svg rect.op{fill:#868e96}svg rect.other{fill:#ced4da}svg rect.unpriced{stroke:#c92a2a;stroke-dasharray:3 2;fill-opacity:.15}svg text.agent{font-weight:600}
.chart{width:100%;height:auto}.wfhead{margin:0 0 6px}
.legend{color:#6c757d;font-size:12px}.dot{display:inline-block;width:10px;height:10px;border-radius:2px;margin:0 4px 0 10px;vertical-align:-1px}
.dot.llm{background:${LLM}}.dot.compute{background:${COMPUTE}}.dot.idle{background:#d0e3f7;border:1px solid #74a9de}.dot.op{background:#868e96}.dot.agent{background:#ced4da}
.empty{color:#868e96}
.rs td{vertical-align:middle}.rs td.name,.rs .alloc,.rs .smallest b{white-space:nowrap}.rs-wrap{overflow-x:auto}.rs .unsampled{color:#868e96;font-style:italic}.rs .saving{color:#2b8a3e;font-weight:600}.rs .share{font-weight:normal}.rs .saving:not(:has(.share)){color:#868e96;font-weight:normal}
.userow{display:flex;align-items:center;gap:8px;line-height:1.3}.meter{position:relative;display:inline-block;flex:none;width:120px;height:7px;border-radius:3px;background:#e7f0fa}
.meter span{position:absolute;left:0;top:0;bottom:0;border-radius:3px}.meter .peak{background:#74a9de}.meter .mean{background:${COMPUTE}}
.usetext{color:#495057;font-size:12px;white-space:nowrap}.rs-summary{margin:0 0 10px}.dot.mean{background:${COMPUTE}}.dot.peak{background:#74a9de}.legend-inline .dot{margin-left:6px}.legend-inline{font-weight:normal}
code{font-family:ui-monospace,Menlo,monospace;font-size:12px;background:#f1f3f5;padding:0 3px;border-radius:3px}
@media (max-width:900px){.kpis{grid-template-columns:repeat(2,1fr)}.cols{grid-template-columns:1fr}}
`;

// Picks the waterfall of the clicked trace row.
const SCRIPT = `
document.querySelectorAll('table.traces tbody tr').forEach(function (row) {
  row.addEventListener('click', function () {
    var id = row.getAttribute('data-trace-id');
    document.querySelectorAll('table.traces tr.selected').forEach(function (r) { r.classList.remove('selected'); });
    row.classList.add('selected');
    document.querySelectorAll('[data-waterfall]').forEach(function (w) { w.hidden = w.getAttribute('data-waterfall') !== id; });
    document.getElementById('waterfall').scrollIntoView({ behavior: 'smooth', block: 'start' });
  });
});
`;
