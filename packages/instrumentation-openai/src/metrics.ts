import {
  ATTR_ERROR_TYPE,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_RESPONSE_MODEL,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  errorType,
  recordGenAiClientMetrics,
} from '@agentburn/core';
import type { Attributes, Meter } from '@opentelemetry/api';

/** The low-cardinality span attributes the GenAI client histograms carry. */
const METRIC_KEYS = [
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_RESPONSE_MODEL,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
];

/**
 * Records `gen_ai.client.operation.duration` and `gen_ai.client.token.usage`
 * from a call's request attributes and the attributes learnt from its result
 * (result first: the response model lives there). Builds one small object
 * instead of merging both maps, since this runs on every call.
 */
export function recordCallMetrics(
  meter: Meter,
  request: Attributes,
  result: Attributes | undefined,
  durationSeconds: number,
  error: unknown,
): void {
  const attributes: Attributes = {};
  for (const key of METRIC_KEYS) {
    const value = result?.[key] ?? request[key];
    if (value !== undefined) attributes[key] = value;
  }
  if (error !== undefined) attributes[ATTR_ERROR_TYPE] = errorType(error);
  const input = result?.[ATTR_GEN_AI_USAGE_INPUT_TOKENS];
  const output = result?.[ATTR_GEN_AI_USAGE_OUTPUT_TOKENS];
  recordGenAiClientMetrics(
    meter,
    attributes,
    typeof input === 'number' || typeof output === 'number'
      ? {
          inputTokens: typeof input === 'number' ? input : undefined,
          outputTokens: typeof output === 'number' ? output : undefined,
        }
      : undefined,
    durationSeconds,
  );
}
