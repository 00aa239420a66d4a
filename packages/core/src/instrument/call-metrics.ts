import type { Attributes, Meter } from '@opentelemetry/api';
import { GEN_AI_CLIENT_METRIC_KEYS, recordGenAiClientMetrics, tokenCountsOf } from '../metrics';
import { ATTR_ERROR_TYPE } from '../semconv';
import { errorType } from './errors';

/**
 * Records `gen_ai.client.operation.duration` and `gen_ai.client.token.usage`
 * for one call that just ended, from the attributes its span started with and
 * those learnt from its result (result first: the response model lives
 * there), with `error.type` when it failed. Never throws.
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
