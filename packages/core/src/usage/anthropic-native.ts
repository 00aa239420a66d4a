import type { Attributes } from '@opentelemetry/api';
import type { LlmCall } from '../types';
import { readGenAiIdentity, readGenAiUsage } from './genai';
import { makeCall, normaliseUsage, readCount, readFirstString } from './read';

/** Instrumentation scope of `@anthropic-ai/sdk`'s own OpenTelemetry tracing. */
export const ANTHROPIC_SDK_SCOPE = 'com.anthropic.sdk.typescript';
/** Its inference call span; its other spans (count_tokens, sessions, files) cost nothing here. */
const MESSAGES_CREATE_SPAN = 'anthropic.messages.create';

// The SDK's own names (its lib/internal/tracing sources).
const ATTR_CACHE_WRITE_1H = 'anthropic.usage.cache_creation.ephemeral_1h_input_tokens';
const ATTR_COMPACTION_INPUT = 'anthropic.usage.compaction.input_tokens';
const ATTR_COMPACTION_OUTPUT = 'anthropic.usage.compaction.output_tokens';
const ATTR_RESPONSE_SERVICE_TIER = 'anthropic.response.service_tier';
const ATTR_REQUEST_SERVICE_TIER = 'anthropic.request.service_tier';

export function isAnthropicNativeSpan(spanName: string, scopeName: string | undefined): boolean {
  return scopeName?.startsWith(ANTHROPIC_SDK_SCOPE) === true || spanName === MESSAGES_CREATE_SPAN;
}

export function isAnthropicNativeInference(spanName: string): boolean {
  return spanName === MESSAGES_CREATE_SPAN;
}

/**
 * The SDK writes GenAI semconv names, and its `gen_ai.usage.input_tokens` is
 * already the sum of `input_tokens`, `cache_read_input_tokens` and
 * `cache_creation_input_tokens` (cache-inclusive). The 1-hour share of cache
 * writes and the service tier come under `anthropic.*` names.
 *
 * Compaction iterations are billed but left out of the top-level usage, so
 * their tokens are added. The SDK sums a compaction's uncached input, cache
 * reads and cache writes into one figure that cannot be split: it is priced
 * as cache reads (a compaction re-reads the conversation the earlier turns
 * cached), and the cost is marked estimated. Our own span, which sees the
 * split, prices it exactly.
 */
export function readAnthropicNative(attributes: Attributes): LlmCall {
  const issues: string[] = [];
  const raw = readGenAiUsage(attributes, issues);
  const oneHour = readCount(attributes, ATTR_CACHE_WRITE_1H, issues);
  if (oneHour !== undefined) raw.cacheWrite1h = oneHour;
  const compactionIn = readCount(attributes, ATTR_COMPACTION_INPUT, issues) ?? 0;
  const compactionOut = readCount(attributes, ATTR_COMPACTION_OUTPUT, issues) ?? 0;
  if (compactionIn > 0) {
    raw.input = (raw.input ?? 0) + compactionIn;
    raw.cacheRead = (raw.cacheRead ?? 0) + compactionIn;
  }
  if (compactionOut > 0) raw.output = (raw.output ?? 0) + compactionOut;
  const usage = normaliseUsage(raw, true, issues);
  const identity = readGenAiIdentity(attributes);
  identity.serviceTier = readFirstString(attributes, [ATTR_RESPONSE_SERVICE_TIER, ATTR_REQUEST_SERVICE_TIER]);
  identity.provider ??= 'anthropic';
  const call = makeCall('anthropic-native', identity, usage, issues);
  if (compactionIn > 0) call.estimated = true;
  return call;
}
