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
  try {
    for await (const { lineNumber, parsed } of readOtlpLines(input, { onProgress: progress.update })) {
      aggregator.addLine(parsed);
      if (parsed.kind !== 'malformed') continue;
      if (++messages > MAX_LINE_MESSAGES) continue;
      progress.done();
      io.stderr.write(`line ${lineNumber}: not valid OTLP JSON (${parsed.reason})\n`);
      if (messages === MAX_LINE_MESSAGES) io.stderr.write('further malformed lines are counted, not shown\n');
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
  const name = source === '-' ? 'stdin' : source;
  io.stdout.write(values.json ? reportToJson(report, name, top) : formatReport(report, name, top));
  return EXIT_OK;
}
