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
  makeCall,
  normaliseUsage,
  type RawUsage,
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

/** The GenAI semconv usage figures, current names first, deprecated ones after. */
export function readGenAiUsage(attributes: Attributes, issues: string[]): RawUsage {
  return {
    input: readFirstCount(attributes, [ATTR_GEN_AI_USAGE_INPUT_TOKENS, ATTR_GEN_AI_USAGE_PROMPT_TOKENS], issues),
    output: readFirstCount(attributes, [ATTR_GEN_AI_USAGE_OUTPUT_TOKENS, ATTR_GEN_AI_USAGE_COMPLETION_TOKENS], issues),
    cacheRead: readFirstCount(attributes, [ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS], issues),
    cacheWrite: readFirstCount(
      attributes,
      [ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS, ATTR_GEN_AI_USAGE_CACHE_WRITE_INPUT_TOKENS],
      issues,
    ),
    cacheWrite1h: readFirstCount(attributes, [ATTR_USAGE_CACHE_CREATION_1H_INPUT_TOKENS], issues),
    reasoning: readFirstCount(attributes, [ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS], issues),
  };
}

/** Identity fields every GenAI-semconv span shares. */
export function readGenAiIdentity(attributes: Attributes): CallIdentity {
  return {
    provider: normaliseProvider(readFirstString(attributes, [ATTR_GEN_AI_PROVIDER_NAME, ATTR_GEN_AI_SYSTEM])),
    requestModel: readString(attributes, ATTR_GEN_AI_REQUEST_MODEL),
    responseModel: readString(attributes, ATTR_GEN_AI_RESPONSE_MODEL),
    responseId: readString(attributes, ATTR_GEN_AI_RESPONSE_ID),
    serviceTier: readFirstString(attributes, [
      ATTR_OPENAI_RESPONSE_SERVICE_TIER,
      DEPRECATED_RESPONSE_SERVICE_TIER,
      ATTR_OPENAI_REQUEST_SERVICE_TIER,
      DEPRECATED_REQUEST_SERVICE_TIER,
    ]),
  };
}

/**
 * Our own spans and any GenAI-semconv emitter: `gen_ai.usage.input_tokens`
 * counts all input, cached reads and writes included (the convention's rule).
 */
export function readGenAi(attributes: Attributes, source: UsageSource = 'genai'): LlmCall {
  const issues: string[] = [];
  const usage = normaliseUsage(readGenAiUsage(attributes, issues), true, issues);
  return makeCall(source, readGenAiIdentity(attributes), usage, issues);
}
