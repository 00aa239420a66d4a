import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { parseArgs } from 'node:util';
import { type CliIo, EXIT_ERROR, EXIT_OK, parseCount, UsageError } from '../io';
import { SpendAggregator } from '../report/aggregate';
import { formatReport, reportToJson } from '../report/format';
import { createProgress } from '../report/progress';
import { readOtlpLines } from '../report/read-otlp-lines';

export const REPORT_USAGE = `Usage: agentburn report <file|-> [--json] [--top N]

Reads OTLP JSON lines (the OpenTelemetry Collector file exporter's format;
'-' reads stdin) and prints spend per trace, agent and model, LLM against
compute. Sums cost_usd over the spans that carry it.

Options:
  --json     one JSON document on stdout
  --top N    show the N most expensive traces, agents and models
             (default 10 for text, all for --json)
`;

/** Malformed lines past this many are counted but not printed one by one. */
const MAX_LINE_MESSAGES = 20;
const DEFAULT_TEXT_TOP = 10;

export async function reportCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      json: { type: 'boolean' },
      top: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    io.stdout.write(REPORT_USAGE);
    return EXIT_OK;
  }
  if (positionals.length !== 1) throw new UsageError('report takes one file (or - for stdin)');
  const source = positionals[0]!;
  const top = parseCount('top', values.top) ?? (values.json ? undefined : DEFAULT_TEXT_TOP);

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

  const progress = createProgress(io.stderr, size, `reading ${source}`);
  const aggregator = new SpendAggregator();
  let messages = 0;
  const say = (message: string) => {
    if (++messages > MAX_LINE_MESSAGES) return;
    progress.done();
    io.stderr.write(`${message}\n`);
    if (messages === MAX_LINE_MESSAGES) io.stderr.write('further skipped lines and spans are counted, not shown\n');
  };
  let otlpLines = 0;
  let firstLine: string | undefined;
  try {
    for await (const { lineNumber, parsed, text } of readOtlpLines(input, { onProgress: progress.update })) {
      if (lineNumber === 1) firstLine = text;
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

  const report = aggregator.result();
  if (otlpLines === 0 && report.totals.skippedLines > 0) {
    io.stderr.write(notOtlpMessage(source, firstLine));
    return EXIT_ERROR;
  }
  const name = source === '-' ? 'stdin' : source;
  io.stdout.write(values.json ? reportToJson(report, name, top) : formatReport(report, name, top));
  return EXIT_OK;
}

/** Why a file with no OTLP line in it was refused, and what was expected. */
function notOtlpMessage(source: string, firstLine: string | undefined): string {
  const prettyPrinted = firstLine !== undefined && /^\s*[[{]\s*$/.test(firstLine);
  return (
    `agentburn report: nothing in ${source === '-' ? 'stdin' : source} is OTLP JSON lines.\n` +
    'Expected one ExportTraceServiceRequest per line ({"resourceSpans":[...]}), as @agentburn/node and the ' +
    "OpenTelemetry Collector's file exporter write them.\n" +
    (prettyPrinted
      ? `Line 1 is '${firstLine!.trim()}' alone: a pretty-printed JSON document is not JSON lines ` +
        "(one request per line: 'jq -c . FILE' rewrites it so).\n"
      : '')
  );
}
