import type { Readable } from 'node:stream';

/**
 * The longest line read (64 MiB). A collector batch of thousands of spans
 * fits many times over; a longer line is skipped with its number, without
 * holding it in memory.
 */
export const MAX_LINE_BYTES = 64 * 1024 * 1024;

/** Attribute values nest (arrays of arrays) at most this deep; a deeper line is skipped. */
export const MAX_VALUE_DEPTH = 32;

/** An attribute value as decoded from OTLP JSON `AnyValue`. */
export type AttrValue = string | number | boolean | AttrValue[] | undefined;

/** The parts of one OTLP span the report reads. */
export interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  attributes: Record<string, AttrValue>;
  startTimeUnixNano?: string;
  endTimeUnixNano?: string;
}

export type ParsedLine =
  | { kind: 'traces'; spans: OtlpSpan[] }
  /** Blank lines, and valid OTLP lines of other signals (metrics, logs) the file exporter may share a file with. */
  | { kind: 'ignored'; reason: 'blank' | 'other-signal' }
  | { kind: 'malformed'; reason: string };

export interface OtlpLine {
  lineNumber: number;
  parsed: ParsedLine;
  /** The line itself; absent when it was over the length cap. */
  text?: string;
}

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

class TooDeep extends Error {}

/**
 * Decodes an OTLP JSON `AnyValue`. int64 values arrive as strings (proto JSON
 * mapping) or numbers. Throws past `MAX_VALUE_DEPTH` nested arrays, so a
 * hostile line cannot exhaust the stack.
 */
export function decodeAnyValue(value: unknown, depth = 0): AttrValue {
  if (!isObject(value)) return undefined;
  if (typeof value.stringValue === 'string') return value.stringValue;
  if (typeof value.boolValue === 'boolean') return value.boolValue;
  if ('doubleValue' in value) return toNumber(value.doubleValue);
  if ('intValue' in value) return toNumber(value.intValue);
  if (isObject(value.arrayValue)) {
    const values = value.arrayValue.values;
    if (depth >= MAX_VALUE_DEPTH) throw new TooDeep(`attribute values nest deeper than ${MAX_VALUE_DEPTH} levels`);
    return Array.isArray(values) ? values.map((v) => decodeAnyValue(v, depth + 1)) : [];
  }
  return undefined;
}

function toNumber(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v.trim() !== '') {
    const n = Number(v);
    return Number.isNaN(n) ? undefined : n;
  }
  return undefined;
}

function decodeAttributes(list: unknown): Record<string, AttrValue> {
  const out: Record<string, AttrValue> = {};
  if (!Array.isArray(list)) return out;
  for (const kv of list) {
    if (isObject(kv) && typeof kv.key === 'string') out[kv.key] = decodeAnyValue(kv.value);
  }
  return out;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
// Timestamps are fixed64: a string in proto JSON, sometimes a number.
const nanos = (v: unknown): string | undefined =>
  typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined;

/**
 * Parses one line of the collector's file exporter output: an
 * ExportTraceServiceRequest in proto JSON. Never throws.
 */
export function parseOtlpLine(line: string): ParsedLine {
  if (line.trim() === '') return { kind: 'ignored', reason: 'blank' };
  try {
    return decodeRequest(JSON.parse(line));
  } catch (err) {
    // A syntax error, values nested past MAX_VALUE_DEPTH, or a parser out of stack on a deeper document.
    return { kind: 'malformed', reason: (err as Error).message };
  }
}

function decodeRequest(doc: unknown): ParsedLine {
  if (!isObject(doc)) return { kind: 'malformed', reason: 'not a JSON object' };
  if (!('resourceSpans' in doc)) {
    return 'resourceMetrics' in doc || 'resourceLogs' in doc
      ? { kind: 'ignored', reason: 'other-signal' }
      : { kind: 'malformed', reason: 'no resourceSpans' };
  }
  if (!Array.isArray(doc.resourceSpans)) return { kind: 'malformed', reason: 'resourceSpans is not an array' };

  const spans: OtlpSpan[] = [];
  for (const rs of doc.resourceSpans) {
    if (!isObject(rs)) return { kind: 'malformed', reason: 'resourceSpans entry is not an object' };
    for (const ss of Array.isArray(rs.scopeSpans) ? rs.scopeSpans : []) {
      if (!isObject(ss)) return { kind: 'malformed', reason: 'scopeSpans entry is not an object' };
      for (const s of Array.isArray(ss.spans) ? ss.spans : []) {
        const traceId = isObject(s) ? str(s.traceId) : undefined;
        if (!isObject(s) || !traceId) return { kind: 'malformed', reason: 'span without traceId' };
        spans.push({
          traceId,
          spanId: str(s.spanId) ?? '',
          parentSpanId: str(s.parentSpanId),
          name: typeof s.name === 'string' ? s.name : '',
          attributes: decodeAttributes(s.attributes),
          startTimeUnixNano: nanos(s.startTimeUnixNano),
          endTimeUnixNano: nanos(s.endTimeUnixNano),
        });
      }
    }
  }
  return { kind: 'traces', spans };
}

export interface ReadOtlpOptions {
  /** Called after each line with the bytes consumed so far (when the input reports them). */
  onProgress?: (bytesRead: number) => void;
  /** Lines longer than this are skipped as malformed. Default `MAX_LINE_BYTES`. */
  maxLineBytes?: number;
}

/**
 * Streams OTLP JSON lines from `input` one line at a time, so memory stays
 * bounded by `maxLineBytes`, not by the file or its longest line.
 */
export async function* readOtlpLines(input: Readable, options: ReadOtlpOptions = {}): AsyncGenerator<OtlpLine> {
  const bytesRead = () => (input as { bytesRead?: number }).bytesRead;
  let lineNumber = 0;
  for await (const line of splitLines(input, options.maxLineBytes ?? MAX_LINE_BYTES)) {
    lineNumber++;
    const parsed: ParsedLine =
      typeof line === 'string'
        ? parseOtlpLine(line)
        : {
            kind: 'malformed',
            reason: `line of ${line.tooLong} bytes is over the ${mib(options.maxLineBytes ?? MAX_LINE_BYTES)} cap`,
          };
    yield typeof line === 'string' ? { lineNumber, parsed, text: line } : { lineNumber, parsed };
    const read = bytesRead();
    if (options.onProgress && typeof read === 'number') options.onProgress(read);
  }
}

const mib = (bytes: number) => (bytes >= 1048576 ? `${bytes / 1048576} MiB` : `${bytes} byte`);

/**
 * Splits a byte stream at `\n` (dropping a `\r` before it). A line longer
 * than `maxBytes` is not kept: its length is counted to its end and it is
 * yielded as `{ tooLong }`.
 */
async function* splitLines(input: AsyncIterable<Buffer | string>, maxBytes: number) {
  let parts: Buffer[] = [];
  let length = 0;
  const finish = (): string | { tooLong: number } => {
    if (length > maxBytes) return { tooLong: length };
    const text = (parts.length === 1 ? parts[0]! : Buffer.concat(parts, length)).toString('utf8');
    return text.endsWith('\r') ? text.slice(0, -1) : text;
  };
  for await (const chunk of input) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    let start = 0;
    while (start <= buf.length) {
      const newline = buf.indexOf(10, start);
      const end = newline === -1 ? buf.length : newline;
      length += end - start;
      if (length <= maxBytes) {
        if (end > start) parts.push(buf.subarray(start, end));
      } else parts = [];
      if (newline === -1) break;
      yield finish();
      parts = [];
      length = 0;
      start = newline + 1;
    }
  }
  if (length > 0) yield finish();
}
