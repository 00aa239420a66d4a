import {
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MAX_TOKENS,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_REQUEST_STREAM,
  ATTR_GEN_AI_REQUEST_TEMPERATURE,
  ATTR_GEN_AI_REQUEST_TOP_P,
  ATTR_GEN_AI_RESPONSE_FINISH_REASONS,
  ATTR_GEN_AI_RESPONSE_ID,
  ATTR_GEN_AI_RESPONSE_MODEL,
  ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
  ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  ATTR_USAGE_CACHE_CREATION_1H_INPUT_TOKENS,
  GEN_AI_OPERATION_CHAT,
  GEN_AI_PROVIDER_ANTHROPIC,
} from '@agentburn/core';
import type { Attributes } from '@opentelemetry/api';

/** The parts of a Messages request body this package reads. */
export interface MessageParams {
  model?: unknown;
  max_tokens?: unknown;
  temperature?: unknown;
  top_p?: unknown;
  stream?: unknown;
  system?: unknown;
  messages?: unknown;
}

export function spanName(params: MessageParams): string {
  return typeof params.model === 'string' && params.model !== ''
    ? `${GEN_AI_OPERATION_CHAT} ${params.model}`
    : GEN_AI_OPERATION_CHAT;
}

/** The attributes a span starts with, so samplers see them. */
export function requestAttributes(params: MessageParams, baseURL: unknown): Attributes {
  const attributes: Attributes = {
    [ATTR_GEN_AI_OPERATION_NAME]: GEN_AI_OPERATION_CHAT,
    [ATTR_GEN_AI_PROVIDER_NAME]: GEN_AI_PROVIDER_ANTHROPIC,
    ...serverAttributes(baseURL),
  };
  if (typeof params.model === 'string') attributes[ATTR_GEN_AI_REQUEST_MODEL] = params.model;
  if (isNumber(params.max_tokens)) attributes[ATTR_GEN_AI_REQUEST_MAX_TOKENS] = params.max_tokens;
  if (isNumber(params.temperature)) attributes[ATTR_GEN_AI_REQUEST_TEMPERATURE] = params.temperature;
  if (isNumber(params.top_p)) attributes[ATTR_GEN_AI_REQUEST_TOP_P] = params.top_p;
  if (params.stream === true) attributes[ATTR_GEN_AI_REQUEST_STREAM] = true;
  return attributes;
}

/** `server.address` and `server.port` of the client's base URL. */
export function serverAttributes(baseURL: unknown): Attributes {
  if (typeof baseURL !== 'string') return {};
  try {
    const { hostname, port, protocol } = new URL(baseURL);
    return {
      // An IPv6 literal keeps its brackets in a URL, not in `server.address`.
      [ATTR_SERVER_ADDRESS]: hostname.replace(/^\[(.*)\]$/, '$1'),
      [ATTR_SERVER_PORT]: port ? Number(port) : protocol === 'http:' ? 80 : 443,
    };
  } catch {
    return {};
  }
}

/** The parts of a Message (or of one being streamed) this package reads. */
export interface MessageFields {
  id?: unknown;
  model?: unknown;
  stop_reason?: unknown;
  usage?: unknown;
}

export function responseAttributes(message: MessageFields): Attributes {
  const attributes: Attributes = usageAttributes(message.usage);
  if (typeof message.id === 'string') attributes[ATTR_GEN_AI_RESPONSE_ID] = message.id;
  if (typeof message.model === 'string') attributes[ATTR_GEN_AI_RESPONSE_MODEL] = message.model;
  if (typeof message.stop_reason === 'string') attributes[ATTR_GEN_AI_RESPONSE_FINISH_REASONS] = [message.stop_reason];
  return attributes;
}

/** One usage's token figures, undefined where the API gave none. */
interface TokenFigures {
  uncached: number | undefined;
  cacheRead: number | undefined;
  cacheWrite: number | undefined;
  oneHour: number | undefined;
  output: number | undefined;
}

function tokenFigures(usage: JsonObject): TokenFigures {
  const split = isObject(usage.cache_creation) ? usage.cache_creation : undefined;
  const fiveMinutes = count(split?.ephemeral_5m_input_tokens);
  const oneHour = count(split?.ephemeral_1h_input_tokens);
  return {
    uncached: count(usage.input_tokens),
    cacheRead: count(usage.cache_read_input_tokens),
    // The total is the API's own figure; the 5m/1h split is the fallback when only it is sent.
    cacheWrite:
      count(usage.cache_creation_input_tokens) ??
      (fiveMinutes !== undefined || oneHour !== undefined ? (fiveMinutes ?? 0) + (oneHour ?? 0) : undefined),
    oneHour,
    output: count(usage.output_tokens),
  };
}

/** `a + b`, undefined only when both are. */
function plus(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined && b === undefined ? undefined : (a ?? 0) + (b ?? 0);
}

/**
 * Anthropic's `input_tokens` leaves out the tokens read from and written to
 * the prompt cache; `gen_ai.usage.input_tokens` counts ALL input, so they are
 * added back. The cache figures are parts of that total.
 *
 * With server-side compaction, `usage.iterations` lists a `compaction` step
 * (its own input, cache and output tokens) before the message step; the
 * top-level figures leave the compaction out, but it is billed, so its
 * tokens are added to every figure.
 */
export function usageAttributes(usage: unknown): Attributes {
  if (!isObject(usage)) return {};
  const attributes: Attributes = {};
  const total = tokenFigures(usage);
  const iterations: unknown[] = Array.isArray(usage.iterations) ? usage.iterations : [];
  for (const step of iterations) {
    if (!isObject(step) || step.type !== 'compaction') continue;
    const more = tokenFigures(step);
    total.uncached = plus(total.uncached, more.uncached);
    total.cacheRead = plus(total.cacheRead, more.cacheRead);
    total.cacheWrite = plus(total.cacheWrite, more.cacheWrite);
    total.oneHour = plus(total.oneHour, more.oneHour);
    // A stream's output count is final only with message_delta: no compaction output is added before it.
    if (total.output !== undefined) total.output = plus(total.output, more.output);
  }
  const { uncached, cacheRead, cacheWrite, oneHour, output } = total;
  if (uncached !== undefined || cacheRead !== undefined || cacheWrite !== undefined) {
    attributes[ATTR_GEN_AI_USAGE_INPUT_TOKENS] = (uncached ?? 0) + (cacheRead ?? 0) + (cacheWrite ?? 0);
  }
  if (cacheRead !== undefined) attributes[ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS] = cacheRead;
  if (cacheWrite !== undefined) attributes[ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS] = cacheWrite;
  if (oneHour !== undefined) attributes[ATTR_USAGE_CACHE_CREATION_1H_INPUT_TOKENS] = oneHour;
  if (output !== undefined) attributes[ATTR_GEN_AI_USAGE_OUTPUT_TOKENS] = output;
  const details = isObject(usage.output_tokens_details) ? usage.output_tokens_details : undefined;
  const thinking = count(details?.thinking_tokens);
  if (thinking !== undefined) attributes[ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS] = thinking;
  return attributes;
}

/** A JSON object from the SDK or the API, read defensively: each field is checked where it is used. */
// biome-ignore lint/suspicious/noExplicitAny: wire JSON, narrowed field by field
export type JsonObject = Record<string, any>;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null;
}

function isNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

function count(value: unknown): number | undefined {
  return isNumber(value) && value >= 0 ? value : undefined;
}
