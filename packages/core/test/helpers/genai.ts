import {
  ATTR_E2B_SANDBOX_BILLED_SECONDS,
  ATTR_E2B_SANDBOX_CPU_COUNT,
  ATTR_E2B_SANDBOX_ID,
  ATTR_E2B_SANDBOX_MEMORY_MIB,
  ATTR_E2B_TEMPLATE_ID,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_RESPONSE_ID,
  ATTR_GEN_AI_RESPONSE_MODEL,
  ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
  GEN_AI_OPERATION_CHAT,
  GEN_AI_PROVIDER_OPENAI,
} from '@agentburn/core';
import type { Attributes } from '@opentelemetry/api';

export interface ChatShape {
  model?: string;
  provider?: string;
  input?: number;
  output?: number;
  cacheRead?: number;
  responseId?: string;
}

/** Attributes of a finished chat call, as the OpenAI instrumentation writes them. */
export function chatAttributes(shape: ChatShape = {}): Attributes {
  const model = shape.model ?? 'gpt-4o';
  const attributes: Attributes = {
    [ATTR_GEN_AI_OPERATION_NAME]: GEN_AI_OPERATION_CHAT,
    [ATTR_GEN_AI_PROVIDER_NAME]: shape.provider ?? GEN_AI_PROVIDER_OPENAI,
    [ATTR_GEN_AI_REQUEST_MODEL]: model,
    [ATTR_GEN_AI_RESPONSE_MODEL]: model,
    [ATTR_GEN_AI_USAGE_INPUT_TOKENS]: shape.input ?? 1000,
    [ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: shape.output ?? 200,
  };
  if (shape.cacheRead !== undefined) attributes[ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS] = shape.cacheRead;
  if (shape.responseId !== undefined) attributes[ATTR_GEN_AI_RESPONSE_ID] = shape.responseId;
  return attributes;
}

/** Attributes of an ended E2B running interval. */
export function sandboxAttributes(billedSeconds: number, cpu = 2, memoryMib = 512): Attributes {
  return {
    [ATTR_E2B_SANDBOX_ID]: 'sbx-test-1',
    [ATTR_E2B_TEMPLATE_ID]: 'base',
    [ATTR_E2B_SANDBOX_CPU_COUNT]: cpu,
    [ATTR_E2B_SANDBOX_MEMORY_MIB]: memoryMib,
    [ATTR_E2B_SANDBOX_BILLED_SECONDS]: billedSeconds,
  };
}
