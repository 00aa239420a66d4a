import {
  ATTR_ERROR_TYPE,
  errorType,
  GEN_AI_CLIENT_METRIC_KEYS,
  recordGenAiClientMetrics,
  tokenCountsOf,
} from '@agentburn/core';
import type { Attributes, Meter } from '@opentelemetry/api';

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
  for (const key of GEN_AI_CLIENT_METRIC_KEYS) {
    const value = result?.[key] ?? request[key];
    if (value !== undefined) attributes[key] = value;
  }
  if (error !== undefined) attributes[ATTR_ERROR_TYPE] = errorType(error);
  recordGenAiClientMetrics(meter, attributes, tokenCountsOf(result), durationSeconds);
}
