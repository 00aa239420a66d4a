import type { Attributes } from '@opentelemetry/api';

/**
 * A request body, result or chunk as the SDK hands it over. Shapes differ
 * across SDK majors and OpenAI-compatible servers, so every read of one is
 * guarded (optional chaining, type checks) rather than trusted to a type.
 */
// biome-ignore lint/suspicious/noExplicitAny: wire payloads, read defensively
export type Payload = any;

/** What the instrumentation needs to know about one patched API method. */
export interface Operation {
  /** `gen_ai.operation.name`. */
  readonly name: string;
  /**
   * The body to send. May return a copy (never a mutated original), e.g.
   * with `stream_options.include_usage` added; `hideUsageChunk` then says
   * the usage-only chunk was injected and must not reach the caller.
   */
  prepare?(body: Payload, options: PrepareOptions): { body: Payload; hideUsageChunk: boolean };
  /** Attributes known before the request is sent. */
  requestAttributes(body: Payload, captureContent: boolean): Attributes;
  /** Attributes of a parsed, non-streamed result. */
  resultAttributes(result: Payload, captureContent: boolean): Attributes;
  /** Folds a streamed result's chunks into attributes; absent for operations that never stream. */
  streamAccumulator?(captureContent: boolean, hideUsageChunk: boolean): StreamAccumulator;
}

export interface PrepareOptions {
  injectStreamUsage: boolean;
}

export interface StreamAccumulator {
  /** Sees each chunk; returns false to hide it from the caller. */
  add(chunk: Payload): boolean;
  /** The attributes learnt from the chunks seen so far. */
  attributes(): Attributes;
}

/** A finite, non-negative token count, or undefined. */
export function tokenCount(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
}

/** Sets `key` only when `value` is defined, so absent facts stay absent. */
export function setIf(
  attributes: Attributes,
  key: string,
  value: string | number | boolean | string[] | undefined,
): void {
  if (value !== undefined && value !== null) attributes[key] = value;
}

export function stringOrUndefined(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

export function numberOrUndefined(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** Serialises content for `gen_ai.*.messages`; never throws. */
export function toJson(value: unknown): string | undefined {
  try {
    return JSON.stringify(value);
  } catch {
    return undefined;
  }
}
