import {
  ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
  ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS,
} from '@agentburn/core';
import type { Attributes } from '@opentelemetry/api';
import { type Payload, setIf, tokenCount } from './operation';

/**
 * Usage of Chat Completions and Embeddings. OpenAI's `prompt_tokens`
 * already includes the cached tokens, as the contract wants; the cache and
 * reasoning figures are parts of input and output. A missing usage object
 * sets nothing: tokens are never estimated.
 */
export function addChatUsage(attributes: Attributes, usage: Payload): void {
  if (!usage || typeof usage !== 'object') return;
  setIf(attributes, ATTR_GEN_AI_USAGE_INPUT_TOKENS, tokenCount(usage.prompt_tokens));
  setIf(attributes, ATTR_GEN_AI_USAGE_OUTPUT_TOKENS, tokenCount(usage.completion_tokens));
  setIf(attributes, ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS, tokenCount(usage.prompt_tokens_details?.cached_tokens));
  setIf(
    attributes,
    ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS,
    tokenCount(usage.completion_tokens_details?.reasoning_tokens),
  );
}

/** Usage of the Responses API (`input_tokens` includes the cached ones too). */
export function addResponsesUsage(attributes: Attributes, usage: Payload): void {
  if (!usage || typeof usage !== 'object') return;
  setIf(attributes, ATTR_GEN_AI_USAGE_INPUT_TOKENS, tokenCount(usage.input_tokens));
  setIf(attributes, ATTR_GEN_AI_USAGE_OUTPUT_TOKENS, tokenCount(usage.output_tokens));
  setIf(attributes, ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS, tokenCount(usage.input_tokens_details?.cached_tokens));
  setIf(
    attributes,
    ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS,
    tokenCount(usage.output_tokens_details?.reasoning_tokens),
  );
}
