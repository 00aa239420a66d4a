import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';

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
  | { kind: 'ignored' }
  | { kind: 'malformed'; reason: string };

export interface OtlpLine {
  lineNumber: number;
  parsed: ParsedLine;
}

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Decodes an OTLP JSON `AnyValue`. int64 values arrive as strings (proto JSON mapping) or numbers. */
export function decodeAnyValue(value: unknown): AttrValue {
  if (!isObject(value)) return undefined;
  if (typeof value.stringValue === 'string') return value.stringValue;
  if (typeof value.boolValue === 'boolean') return value.boolValue;
  if ('doubleValue' in value) return toNumber(value.doubleValue);
  if ('intValue' in value) return toNumber(value.intValue);
  if (isObject(value.arrayValue)) {
    const values = value.arrayValue.values;
    return Array.isArray(values) ? values.map(decodeAnyValue) : [];
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
  if (line.trim() === '') return { kind: 'ignored' };
  let doc: unknown;
  try {
    doc = JSON.parse(line);
  } catch (err) {
    return { kind: 'malformed', reason: (err as Error).message };
  }
  if (!isObject(doc)) return { kind: 'malformed', reason: 'not a JSON object' };
  if (!('resourceSpans' in doc)) {
    return 'resourceMetrics' in doc || 'resourceLogs' in doc
      ? { kind: 'ignored' }
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
}

/**
 * Streams OTLP JSON lines from `input` one line at a time, so memory stays
 * bounded by the longest line, not the file.
 */
export async function* readOtlpLines(input: Readable, options: ReadOtlpOptions = {}): AsyncGenerator<OtlpLine> {
  const rl = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  // readline does not forward the input's errors to its iterator: surface them ourselves.
  let failure: Error | undefined;
  const onError = (err: Error) => {
    failure = err;
    rl.close();
  };
  input.once('error', onError);
  let lineNumber = 0;
  try {
    for await (const line of rl) {
      lineNumber++;
      yield { lineNumber, parsed: parseOtlpLine(line) };
      const bytesRead = (input as { bytesRead?: number }).bytesRead;
      if (options.onProgress && typeof bytesRead === 'number') options.onProgress(bytesRead);
    }
  } finally {
    input.off('error', onError);
    rl.close();
  }
  if (failure) throw failure;
}
