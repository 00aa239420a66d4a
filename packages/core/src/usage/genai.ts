import type { Attributes } from '@opentelemetry/api';
import {
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_RESPONSE_ID,
  ATTR_GEN_AI_RESPONSE_MODEL,
  ATTR_GEN_AI_SYSTEM,
  ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_CACHE_WRITE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_COMPLETION_TOKENS,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
  ATTR_GEN_AI_USAGE_PROMPT_TOKENS,
  ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS,
  ATTR_OPENAI_REQUEST_SERVICE_TIER,
  ATTR_OPENAI_RESPONSE_SERVICE_TIER,
  ATTR_USAGE_CACHE_CREATION_1H_INPUT_TOKENS,
  GEN_AI_OPERATION_CHAT,
  GEN_AI_OPERATION_EMBEDDINGS,
  GEN_AI_OPERATION_GENERATE_CONTENT,
  GEN_AI_OPERATION_TEXT_COMPLETION,
} from '../semconv';
import type { LlmCall, UsageSource } from '../types';
import { normaliseProvider } from './provider';
import {
  type CallIdentity,
  normaliseCounts,
  type RawUsage,
  readCount,
  readFirstCount,
  readFirstString,
  readString,
} from './read';

/** Operations that are one inference call (not `invoke_agent`, `execute_tool`, `create_agent`). */
const INFERENCE_OPERATIONS = new Set<string>([
  GEN_AI_OPERATION_CHAT,
  GEN_AI_OPERATION_TEXT_COMPLETION,
  GEN_AI_OPERATION_GENERATE_CONTENT,
  GEN_AI_OPERATION_EMBEDDINGS,
]);

// Service-tier names of earlier semconv releases, still read.
const DEPRECATED_REQUEST_SERVICE_TIER = 'gen_ai.openai.request.service_tier';
const DEPRECATED_RESPONSE_SERVICE_TIER = 'gen_ai.openai.response.service_tier';

/**
 * True for a GenAI-semconv inference span: an inference `gen_ai.operation.name`,
 * or (older emitters) no operation name but a provider and token usage.
 */
export function isGenAiInference(attributes: Attributes): boolean {
  const operation = readString(attributes, ATTR_GEN_AI_OPERATION_NAME);
  if (operation !== undefined) return INFERENCE_OPERATIONS.has(operation);
  const hasProvider =
    attributes[ATTR_GEN_AI_PROVIDER_NAME] !== undefined || attributes[ATTR_GEN_AI_SYSTEM] !== undefined;
  const hasUsage =
    attributes[ATTR_GEN_AI_USAGE_INPUT_TOKENS] !== undefined ||
    attributes[ATTR_GEN_AI_USAGE_PROMPT_TOKENS] !== undefined ||
    attributes[ATTR_GEN_AI_USAGE_OUTPUT_TOKENS] !== undefined ||
    attributes[ATTR_GEN_AI_USAGE_COMPLETION_TOKENS] !== undefined;
  return hasProvider && hasUsage;
}

// Current names first, deprecated ones after; module constants so no list is built per span.
const INPUT_KEYS = [ATTR_GEN_AI_USAGE_INPUT_TOKENS, ATTR_GEN_AI_USAGE_PROMPT_TOKENS];
const OUTPUT_KEYS = [ATTR_GEN_AI_USAGE_OUTPUT_TOKENS, ATTR_GEN_AI_USAGE_COMPLETION_TOKENS];
const CACHE_WRITE_KEYS = [ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS, ATTR_GEN_AI_USAGE_CACHE_WRITE_INPUT_TOKENS];
const PROVIDER_KEYS = [ATTR_GEN_AI_PROVIDER_NAME, ATTR_GEN_AI_SYSTEM];
const SERVICE_TIER_KEYS = [
  ATTR_OPENAI_RESPONSE_SERVICE_TIER,
  DEPRECATED_RESPONSE_SERVICE_TIER,
  ATTR_OPENAI_REQUEST_SERVICE_TIER,
  DEPRECATED_REQUEST_SERVICE_TIER,
];

/** The GenAI semconv usage figures, current names first, deprecated ones after. */
export function readGenAiUsage(attributes: Attributes, issues: string[]): RawUsage {
  return {
    input: readFirstCount(attributes, INPUT_KEYS, issues),
    output: readFirstCount(attributes, OUTPUT_KEYS, issues),
    cacheRead: readCount(attributes, ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS, issues),
    cacheWrite: readFirstCount(attributes, CACHE_WRITE_KEYS, issues),
    cacheWrite1h: readCount(attributes, ATTR_USAGE_CACHE_CREATION_1H_INPUT_TOKENS, issues),
    reasoning: readCount(attributes, ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS, issues),
  };
}

/** Identity fields every GenAI-semconv span shares. */
export function readGenAiIdentity(attributes: Attributes): CallIdentity {
  return {
    provider: normaliseProvider(readFirstString(attributes, PROVIDER_KEYS)),
    requestModel: readString(attributes, ATTR_GEN_AI_REQUEST_MODEL),
    responseModel: readString(attributes, ATTR_GEN_AI_RESPONSE_MODEL),
    responseId: readString(attributes, ATTR_GEN_AI_RESPONSE_ID),
    serviceTier: readFirstString(attributes, SERVICE_TIER_KEYS),
  };
}

/**
 * Our own spans and any GenAI-semconv emitter: `gen_ai.usage.input_tokens`
 * counts all input, cached reads and writes included (the convention's rule).
 */
export function readGenAi(attributes: Attributes, source: UsageSource = 'genai'): LlmCall {
  // The path every span of our own instrumentations takes: the same reads as
  // readGenAiUsage + readGenAiIdentity, without their intermediate records.
  const issues: string[] = [];
  const input = readFirstCount(attributes, INPUT_KEYS, issues);
  const output = readFirstCount(attributes, OUTPUT_KEYS, issues);
  const usage = normaliseCounts(
    input,
    output,
    readCount(attributes, ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS, issues),
    readFirstCount(attributes, CACHE_WRITE_KEYS, issues),
    readCount(attributes, ATTR_USAGE_CACHE_CREATION_1H_INPUT_TOKENS, issues),
    readCount(attributes, ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS, issues),
    true,
    issues,
  );
  return {
    source,
    provider: normaliseProvider(readFirstString(attributes, PROVIDER_KEYS)),
    requestModel: readString(attributes, ATTR_GEN_AI_REQUEST_MODEL),
    responseModel: readString(attributes, ATTR_GEN_AI_RESPONSE_MODEL),
    responseId: readString(attributes, ATTR_GEN_AI_RESPONSE_ID),
    serviceTier: readFirstString(attributes, SERVICE_TIER_KEYS),
    usage,
    providerCostUsd: undefined,
    estimated: false,
    // Embeddings have no output; any other inference with input but no output count was cut short.
    outputMissing:
      input !== undefined &&
      output === undefined &&
      attributes[ATTR_GEN_AI_OPERATION_NAME] !== GEN_AI_OPERATION_EMBEDDINGS,
    issues,
  };
}
