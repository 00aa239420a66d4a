import {
  ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
  ATTR_USAGE_CACHE_CREATION_1H_INPUT_TOKENS,
} from '@agentburn/core';
import type { Attributes } from '@opentelemetry/api';

/** A JSON object from the SDK or the API, read defensively: each field is checked where it is used. */
// biome-ignore lint/suspicious/noExplicitAny: wire JSON, narrowed field by field
export type JsonObject = Record<string, any>;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null;
}

export function count(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
}

/**
 * Token counts the way Bedrock reports them for every model family: the
 * input figure leaves out the tokens read from and written to the prompt
 * cache (Converse `inputTokens`, Anthropic `input_tokens`, the invocation
 * metrics' `inputTokenCount`), which are counted apart.
 */
export interface BedrockUsage {
  uncachedInput?: number;
  cacheRead?: number;
  cacheWrite?: number;
  /** Part of `cacheWrite` written with a 1-hour lifetime. */
  cacheWrite1h?: number;
  output?: number;
}

/** `gen_ai.usage.input_tokens` counts ALL input: the cache reads and writes are added back, and are parts of it. */
export function usageAttributes(usage: BedrockUsage): Attributes {
  const attributes: Attributes = {};
  const { uncachedInput, cacheRead, cacheWrite, cacheWrite1h, output } = usage;
  if (uncachedInput !== undefined || cacheRead !== undefined || cacheWrite !== undefined) {
    attributes[ATTR_GEN_AI_USAGE_INPUT_TOKENS] = (uncachedInput ?? 0) + (cacheRead ?? 0) + (cacheWrite ?? 0);
  }
  if (cacheRead !== undefined) attributes[ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS] = cacheRead;
  if (cacheWrite !== undefined) attributes[ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS] = cacheWrite;
  if (cacheWrite1h !== undefined && cacheWrite1h > 0)
    attributes[ATTR_USAGE_CACHE_CREATION_1H_INPUT_TOKENS] = cacheWrite1h;
  if (output !== undefined) attributes[ATTR_GEN_AI_USAGE_OUTPUT_TOKENS] = output;
  return attributes;
}

/** Converse `TokenUsage`; `cacheDetails` splits the cache writes by TTL. */
export function converseUsage(usage: unknown): BedrockUsage {
  if (!isObject(usage)) return {};
  let cacheWrite1h: number | undefined;
  if (Array.isArray(usage.cacheDetails)) {
    for (const detail of usage.cacheDetails) {
      if (isObject(detail) && detail.ttl === '1h')
        cacheWrite1h = (cacheWrite1h ?? 0) + (count(detail.inputTokens) ?? 0);
    }
  }
  return {
    uncachedInput: count(usage.inputTokens),
    cacheRead: count(usage.cacheReadInputTokens),
    cacheWrite: count(usage.cacheWriteInputTokens),
    cacheWrite1h,
    output: count(usage.outputTokens),
  };
}

/** `amazon-bedrock-invocationMetrics`, which closes every InvokeModel stream, whatever the model. */
export function invocationMetricsUsage(metrics: JsonObject): BedrockUsage {
  return {
    uncachedInput: count(metrics.inputTokenCount),
    cacheRead: count(metrics.cacheReadInputTokenCount),
    cacheWrite: count(metrics.cacheWriteInputTokenCount),
    output: count(metrics.outputTokenCount),
  };
}
