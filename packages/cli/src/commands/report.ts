import { createReadStream } from 'node:fs';
import { readdir, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { parseArgs } from 'node:util';
import { ComputePricer, type ComputeRates, ENV_PRICES_FILE, loadComputeRates } from '@agentburn/core';
import { type CliIo, EXIT_ERROR, EXIT_OK, parseCount, UsageError } from '../io';
import { nanosToMillis, SpendAggregator } from '../report/aggregate';
import { formatReport, formatUsd, GROUPS, type Group, reportToJson } from '../report/format';
import { renderHtmlReport } from '../report/html';
import { createProgress } from '../report/progress';
import { readOtlpLines } from '../report/read-otlp-lines';
import { RightSizingCollector } from '../report/right-sizing';
import { type TraceWaterfall, WaterfallCollector } from '../report/waterfall';

export const REPORT_USAGE = `Usage: agentburn report [file|-] [--since 2h] [--by trace|agent|model|day] [--top N] [--json | --html OUT.html]

Reads OTLP JSON lines (what @agentburn/node writes to .agentburn/traces.jsonl,
and the OpenTelemetry Collector file exporter's format; '-' reads stdin) and
prints spend per trace, agent, model and day, LLM against compute. Sums
cost_usd over the spans that carry it. With no file, reads the local trace
file (AGENTBURN_TRACES_FILE when set) and its rotated predecessors.

Right-sizing: per sandbox template or size, the sampled use against the
allocated size, and what the smallest size that held the peak would have
cost (at the published sandbox rates and AGENTBURN_PRICES_FILE's
computeRates). Sandboxes are sampled when AGENTBURN_SANDBOX_SAMPLE_SECONDS
is set where they run.

Options:
  --since D  only spans that ended in the last D (30m, 2h, 7d)
  --by G     one breakdown only: trace, agent, model or day
  --json     one JSON document on stdout
  --html F   write a self-contained page to F: spend over time, by model
             and agent, right-sizing, the top traces, each trace's
             waterfall (default top 20), unpriced calls and why
  --top N    show the N most expensive traces, agents, models and
             right-sizing groups, the N latest days (default 10 for text,
             all for --json)
`;

/** Malformed lines past this many are counted but not printed one by one. */
const MAX_LINE_MESSAGES = 20;
const DEFAULT_TEXT_TOP = 10;
/** Traces listed, and drawn as waterfalls, on the page. */
const DEFAULT_HTML_TOP = 20;
/** Where @agentburn/node writes when nothing else is configured (its DEFAULT_TRACES_FILE). */
const DEFAULT_TRACES_FILE = join('.agentburn', 'traces.jsonl');
const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** `90s`, `30m`, `2h`, `7d` in milliseconds. */
export function parseDuration(value: string): number {
  const match = /^(\d+(?:\.\d+)?)([smhd])$/.exec(value.trim());
  if (!match) throw new UsageError(`--since takes a duration such as 30m, 2h or 7d, got '${value}'`);
  return Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
}

/**
 * The local trace file and its rotated files (`traces.N.jsonl`), oldest
 * first, so spans are read in the order they were written.
 */
export async function defaultTraceFiles(env: NodeJS.ProcessEnv = process.env): Promise<string[]> {
  const configured = env.AGENTBURN_TRACES_FILE?.trim();
  const current = configured && configured.toLowerCase() !== 'off' ? configured : DEFAULT_TRACES_FILE;
  const ext = extname(current);
  const stem = basename(current, ext);
  let names: string[];
  try {
    names = await readdir(dirname(current));
  } catch {
    return [];
  }
  const rotated = names
    .map((name) => ({
      name,
      n: name.startsWith(`${stem}.`) && name.endsWith(ext) ? name.slice(stem.length + 1, name.length - ext.length) : '',
    }))
    .filter(({ n }) => /^\d+$/.test(n))
    .sort((a, b) => Number(b.n) - Number(a.n))
    .map(({ name }) => join(dirname(current), name));
  return [...rotated, ...(names.includes(basename(current)) ? [current] : [])];
}

export async function reportCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      json: { type: 'boolean' },
      top: { type: 'string' },
      since: { type: 'string' },
      by: { type: 'string' },
      html: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    io.stdout.write(REPORT_USAGE);
    return EXIT_OK;
  }
  if (positionals.length > 1)
    throw new UsageError('report takes one file (or - for stdin), or none for the local trace file');
  const top = parseCount('top', values.top) ?? (values.json ? undefined : DEFAULT_TEXT_TOP);
  const by = values.by as Group | undefined;
  if (by !== undefined && !GROUPS.includes(by))
    throw new UsageError(`--by takes ${GROUPS.join(', ')}; got '${values.by}'`);
  const sinceUnixMs = values.since === undefined ? undefined : Date.now() - parseDuration(values.since);

  let sources = positionals;
  let name = positionals[0] === '-' ? 'stdin' : positionals[0]!;
  if (sources.length === 0) {
    sources = await defaultTraceFiles();
    if (sources.length === 0) {
      io.stderr.write(
        `agentburn report: no trace file at ${process.env.AGENTBURN_TRACES_FILE?.trim() || DEFAULT_TRACES_FILE}.\n` +
          '@agentburn/node writes it when no OTLP endpoint is configured; run your app with it, or name a file.\n',
      );
      return EXIT_ERROR;
    }
    name = sources.at(-1)! + (sources.length > 1 ? ` (and ${sources.length - 1} rotated)` : '');
  }

  const aggregator = new SpendAggregator({
    sinceUnixMs,
    // The prices file is read here, so a broken one is said; '' keeps the pricer from reading it again.
    rightSizing: new RightSizingCollector(new ComputePricer(pricesFileComputeRates(io), '')),
  });
  let otlpLines = 0;
  let firstLine: string | undefined;
  let messages = 0;
  for (const source of sources) {
    let input: Readable;
    let size: number | undefined;
    if (source === '-') {
      input = io.stdin;
      if ((io.stdin as { isTTY?: boolean }).isTTY)
        io.stderr.write('reading OTLP JSON lines from stdin (end with Ctrl-D)\n');
    } else {
      try {
        const info = await stat(source);
        if (!info.isFile()) throw new Error('not a file');
        size = info.size;
      } catch (err) {
        io.stderr.write(`agentburn report: cannot read ${source}: ${(err as Error).message}\n`);
        return EXIT_ERROR;
      }
      input = createReadStream(source);
    }
    const where = sources.length > 1 ? `${source} ` : '';
    const progress = createProgress(io.stderr, size, `reading ${source}`);
    const say = (message: string) => {
      if (++messages > MAX_LINE_MESSAGES) return;
      progress.done();
      io.stderr.write(`${where}${message}\n`);
      if (messages === MAX_LINE_MESSAGES) io.stderr.write('further skipped lines and spans are counted, not shown\n');
    };
    try {
      for await (const { lineNumber, parsed, text } of readOtlpLines(input, { onProgress: progress.update })) {
        if (lineNumber === 1 && firstLine === undefined) firstLine = text;
        if (parsed.kind === 'traces' || (parsed.kind === 'ignored' && parsed.reason === 'other-signal')) otlpLines++;
        const skipped = aggregator.addLine(parsed);
        if (parsed.kind === 'malformed') say(`line ${lineNumber}: not valid OTLP JSON (${parsed.reason}); skipped`);
        for (const span of skipped)
          say(`line ${lineNumber}: span ${span.spanId} of trace ${span.traceId}: ${span.reason}; skipped`);
      }
    } catch (err) {
      progress.done();
      io.stderr.write(`agentburn report: cannot read ${source}: ${(err as Error).message}\n`);
      return EXIT_ERROR;
    } finally {
      if (input !== io.stdin) input.destroy();
    }
    progress.done();
  }

  const report = aggregator.result();
  if (otlpLines === 0 && report.totals.skippedLines > 0) {
    io.stderr.write(notOtlpMessage(name, firstLine));
    return EXIT_ERROR;
  }
  const shownName = values.since ? `${name}, spans that ended in the last ${values.since}` : name;
  if (values.html !== undefined) {
    const htmlTop = parseCount('top', values.top) ?? DEFAULT_HTML_TOP;
    const waterfalls = await collectWaterfalls(
      sources.filter((s) => s !== '-'),
      report.traces.slice(0, htmlTop).map((t) => t.traceId),
      sinceUnixMs,
    );
    const page = renderHtmlReport({
      report,
      hourly: aggregator.hourly(),
      unpriced: aggregator.unpriced(),
      waterfalls,
      source: shownName,
      top: htmlTop,
      generatedAt: new Date(),
    });
    try {
      await writeFile(values.html, page);
    } catch (err) {
      io.stderr.write(`agentburn report: cannot write ${values.html}: ${(err as Error).message}\n`);
      return EXIT_ERROR;
    }
    io.stdout.write(
      `wrote ${values.html} (${Math.ceil(Buffer.byteLength(page) / 1024)} KiB): ${formatUsd(report.totals.costUsd)} in ${report.totals.traces} traces\n`,
    );
    return EXIT_OK;
  }
  io.stdout.write(values.json ? reportToJson(report, shownName, top, by) : formatReport(report, shownName, top, by));
  return EXIT_OK;
}

/**
 * A second pass over the files for the spans of the traces the page draws:
 * only those are kept, so memory follows what is embedded, not the file.
 */
async function collectWaterfalls(files: string[], traceIds: string[], sinceUnixMs?: number): Promise<TraceWaterfall[]> {
  if (!files.length || !traceIds.length) return [];
  const collector = new WaterfallCollector(traceIds);
  for (const file of files) {
    const input = createReadStream(file);
    try {
      for await (const { parsed } of readOtlpLines(input)) {
        if (parsed.kind !== 'traces') continue;
        for (const span of parsed.spans) {
          const end = nanosToMillis(span.endTimeUnixNano ?? span.startTimeUnixNano);
          if (sinceUnixMs === undefined || (end !== undefined && end >= sinceUnixMs)) collector.addSpan(span);
        }
      }
    } finally {
      input.destroy();
    }
  }
  const byId = collector.result();
  return traceIds.map((id) => byId.get(id)!).filter((w) => w.spans.length > 0);
}

/**
 * The prices file's sandbox rates, so right-sizing prices sizes as the spans
 * were priced. A broken file is said once and the published rates apply: the
 * rest of the report does not depend on it.
 */
function pricesFileComputeRates(io: CliIo): Record<string, Partial<ComputeRates>> {
  const file = process.env[ENV_PRICES_FILE]?.trim();
  if (!file) return {};
  try {
    return loadComputeRates(file);
  } catch (err) {
    io.stderr.write(`agentburn report: ${(err as Error).message}; right-sizing uses the published sandbox rates\n`);
    return {};
  }
}

/** Why a file with no OTLP line in it was refused, and what was expected. */
function notOtlpMessage(source: string, firstLine: string | undefined): string {
  const prettyPrinted = firstLine !== undefined && /^\s*[[{]\s*$/.test(firstLine);
  return (
    `agentburn report: nothing in ${source} is OTLP JSON lines.\n` +
    'Expected one ExportTraceServiceRequest per line ({"resourceSpans":[...]}), as @agentburn/node and the ' +
    "OpenTelemetry Collector's file exporter write them.\n" +
    (prettyPrinted
      ? `Line 1 is '${firstLine!.trim()}' alone: a pretty-printed JSON document is not JSON lines ` +
        "(one request per line: 'jq -c . FILE' rewrites it so).\n"
      : '')
  );
}
