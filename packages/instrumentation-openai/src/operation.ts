import {
  ATTR_GEN_AI_REQUEST_MAX_TOKENS,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_REQUEST_STREAM,
  ATTR_GEN_AI_REQUEST_TEMPERATURE,
  ATTR_GEN_AI_REQUEST_TOP_P,
  ATTR_GEN_AI_RESPONSE_ID,
  ATTR_GEN_AI_RESPONSE_MODEL,
  ATTR_OPENAI_REQUEST_SERVICE_TIER,
  ATTR_OPENAI_RESPONSE_SERVICE_TIER,
} from '@agentburn/core';
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
  /** The request field that caps the output when a budget lowers it; absent when the operation has no output. */
  readonly outputCapField?: string;
  /**
   * A copy of the body to send instead (never a mutated original), e.g. with
   * `stream_options.include_usage` added when `injectStreamUsage`, the
   * usage-only chunk then being ours to hide from the caller; undefined to
   * send the caller's body as it is.
   */
  prepare?(body: Payload, injectStreamUsage: boolean): Payload | undefined;
  /** Adds the attributes known before the request is sent to `attributes` (the span's start attributes). */
  requestAttributes(body: Payload, captureContent: boolean, attributes: Attributes): void;
  /** Attributes of a parsed, non-streamed result. */
  resultAttributes(result: Payload, captureContent: boolean): Attributes;
  /** Folds a streamed result's chunks into attributes; absent for operations that never stream. */
  streamAccumulator?(captureContent: boolean, hideUsageChunk: boolean): StreamAccumulator;
}

export interface StreamAccumulator {
  /** Sees each chunk; returns false to hide it from the caller. */
  add(chunk: Payload): boolean;
  /** The attributes learnt from the chunks seen so far. */
  attributes(): Attributes;
  /** A failure the stream reported in-band (the SDK passes such events through without throwing). */
  failure?(): { name: string } | undefined;
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

/**
 * Adds the request attributes Chat Completions and Responses share.
 * `maxTokens` is the output limit, a field each API names differently.
 */
export function addModelRequestAttributes(attributes: Attributes, body: Payload, maxTokens: unknown): void {
  setIf(attributes, ATTR_GEN_AI_REQUEST_MODEL, stringOrUndefined(body?.model));
  setIf(attributes, ATTR_GEN_AI_REQUEST_MAX_TOKENS, numberOrUndefined(maxTokens));
  setIf(attributes, ATTR_GEN_AI_REQUEST_TEMPERATURE, numberOrUndefined(body?.temperature));
  setIf(attributes, ATTR_GEN_AI_REQUEST_TOP_P, numberOrUndefined(body?.top_p));
  setIf(attributes, ATTR_OPENAI_REQUEST_SERVICE_TIER, stringOrUndefined(body?.service_tier));
  if (body?.stream === true) attributes[ATTR_GEN_AI_REQUEST_STREAM] = true;
}

/** Id, response model and service tier of a chat completion (or chunk) or a `Response`. */
export function modelResultAttributes(result: Payload): Attributes {
  const attributes: Attributes = {};
  setIf(attributes, ATTR_GEN_AI_RESPONSE_ID, stringOrUndefined(result?.id));
  setIf(attributes, ATTR_GEN_AI_RESPONSE_MODEL, stringOrUndefined(result?.model));
  setIf(attributes, ATTR_OPENAI_RESPONSE_SERVICE_TIER, stringOrUndefined(result?.service_tier));
  return attributes;
}
