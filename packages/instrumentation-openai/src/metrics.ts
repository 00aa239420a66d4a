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
 * from the attributes a call's span ended with.
 */
export function recordCallMetrics(meter: Meter, span: Attributes, durationSeconds: number, error: unknown): void {
  const attributes: Attributes = {};
  for (const key of METRIC_KEYS) if (span[key] !== undefined) attributes[key] = span[key];
  if (error !== undefined) attributes[ATTR_ERROR_TYPE] = errorType(error);
  const input = span[ATTR_GEN_AI_USAGE_INPUT_TOKENS];
  const output = span[ATTR_GEN_AI_USAGE_OUTPUT_TOKENS];
  recordGenAiClientMetrics(
    meter,
    attributes,
    {
      inputTokens: typeof input === 'number' ? input : undefined,
      outputTokens: typeof output === 'number' ? output : undefined,
    },
    durationSeconds,
  );
}
