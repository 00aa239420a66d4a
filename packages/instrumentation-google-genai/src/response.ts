import {
  ATTR_GEN_AI_RESPONSE_FINISH_REASONS,
  ATTR_GEN_AI_RESPONSE_ID,
  ATTR_GEN_AI_RESPONSE_MODEL,
  ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
  ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS,
} from '@agentburn/core';
import type { Attributes } from '@opentelemetry/api';
import { count, isObject, type JsonObject } from './request';

/** Response id, model version, finish reasons and usage of a `GenerateContentResponse` (or one streamed chunk). */
export function responseAttributes(response: JsonObject): Attributes {
  const attributes = usageAttributes(response.usageMetadata);
  if (typeof response.responseId === 'string') attributes[ATTR_GEN_AI_RESPONSE_ID] = response.responseId;
  if (typeof response.modelVersion === 'string') attributes[ATTR_GEN_AI_RESPONSE_MODEL] = response.modelVersion;
  const reasons = finishReasons(response.candidates);
  if (reasons.length > 0) attributes[ATTR_GEN_AI_RESPONSE_FINISH_REASONS] = reasons;
  return attributes;
}

export function finishReasons(candidates: unknown): string[] {
  if (!Array.isArray(candidates)) return [];
  return candidates
    .map((candidate) => (isObject(candidate) ? candidate.finishReason : undefined))
    .filter((reason): reason is string => typeof reason === 'string');
}

/**
 * `usageMetadata` in the GenAI conventions' terms:
 * - `promptTokenCount` already includes `cachedContentTokenCount` (explicit
 *   and implicit cache hits alike), so the cache read is a part of the input;
 * - `toolUsePromptTokenCount` (tool results fed back to the model) is billed
 *   as input, and is not in `promptTokenCount`;
 * - `candidatesTokenCount` leaves out `thoughtsTokenCount`, which is billed
 *   as output: output is their sum, and the thoughts are its reasoning part.
 */
export function usageAttributes(usage: unknown): Attributes {
  if (!isObject(usage)) return {};
  const attributes: Attributes = {};
  const prompt = count(usage.promptTokenCount);
  const toolUse = count(usage.toolUsePromptTokenCount);
  const cached = count(usage.cachedContentTokenCount);
  const candidates = count(usage.candidatesTokenCount);
  const thoughts = count(usage.thoughtsTokenCount);
  if (prompt !== undefined || toolUse !== undefined) {
    attributes[ATTR_GEN_AI_USAGE_INPUT_TOKENS] = (prompt ?? 0) + (toolUse ?? 0);
  }
  if (cached !== undefined) attributes[ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS] = cached;
  if (candidates !== undefined || thoughts !== undefined) {
    attributes[ATTR_GEN_AI_USAGE_OUTPUT_TOKENS] = (candidates ?? 0) + (thoughts ?? 0);
  }
  if (thoughts !== undefined) attributes[ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS] = thoughts;
  return attributes;
}

/**
 * An `EmbedContentResponse`: Vertex AI reports each embedding's token count
 * (`statistics.tokenCount`); the Gemini API reports none, so its embeddings
 * spans carry no usage (priced as unknown, never as free).
 */
export function embeddingAttributes(response: JsonObject): Attributes {
  if (!Array.isArray(response.embeddings)) return {};
  let total = 0;
  for (const embedding of response.embeddings) {
    const tokens =
      isObject(embedding) && isObject(embedding.statistics) ? count(embedding.statistics.tokenCount) : undefined;
    if (tokens === undefined) return {};
    total += tokens;
  }
  return response.embeddings.length > 0 ? { [ATTR_GEN_AI_USAGE_INPUT_TOKENS]: total } : {};
}
