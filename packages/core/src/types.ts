import type { CostReason, CostStatus, PricingSource } from './semconv';

/**
 * Token usage of one LLM inference call, normalised: `inputTokens` counts ALL
 * input tokens, cached reads and cache writes included, whatever the source's
 * own convention; the cache and reasoning figures are parts of it.
 */
export interface Usage {
  inputTokens: number;
  outputTokens: number;
  /** Part of `inputTokens` read from the prompt cache. */
  cacheReadTokens: number;
  /** Part of `inputTokens` written to the cache (5-minute and 1-hour writes together). */
  cacheWriteTokens: number;
  /** Part of `cacheWriteTokens` written with a 1-hour lifetime. */
  cacheWrite1hTokens: number;
  /** Part of `outputTokens` spent on reasoning. */
  reasoningTokens: number;
}

/** Which telemetry convention a span's usage was read from. */
export type UsageSource = 'genai' | 'anthropic-native' | 'ai-sdk' | 'openllmetry' | 'openinference';

/** What the processor knows of one LLM inference call, read from span attributes only. */
export interface LlmCall {
  source: UsageSource;
  provider?: string;
  requestModel?: string;
  responseModel?: string;
  responseId?: string;
  /** `openai.response.service_tier`, else `openai.request.service_tier`. */
  serviceTier?: string;
  usage: Usage;
  /** Cost the provider itself reported on the span (OpenRouter, AI Gateway), in USD. */
  providerCostUsd?: number;
  /** True when a figure had to be inferred (e.g. tokens estimated by the emitter). */
  estimated: boolean;
  /** Input was reported but the output count was not (a stream cut before its final usage). */
  outputMissing?: boolean;
  /** Problems found while reading (malformed values); the caller writes one diag message per cause. */
  issues: string[];
}

/** Money split of one priced span; the parts sum to `totalUsd`. */
export interface CostBreakdown {
  inputUsd: number;
  outputUsd: number;
  cacheReadUsd: number;
  cacheWriteUsd: number;
  computeUsd: number;
}

export interface PriceResult {
  status: CostStatus;
  /** Why the result is not fully priced; absent when it is. */
  reason?: CostReason;
  /** Absent when status is `unpriced`: an unknown price is never 0. */
  totalUsd?: number;
  breakdown?: CostBreakdown;
  source?: PricingSource;
  /** The price entry that matched, e.g. `gpt-4o` for `gpt-4o-2024-08-06`. */
  model?: string;
  /** Version of the price data. */
  version?: string;
  estimated: boolean;
}

/** One per-second running interval of a sandbox, read from span attributes. */
export interface ComputeInterval {
  /** `e2b`, or the value of `agentburn.compute.provider`. */
  provider: string;
  vcpu: number;
  memoryMib: number;
  billedSeconds: number;
  estimated: boolean;
  issues: string[];
}

/** Per-second sandbox rates, in USD. */
export interface ComputeRates {
  perVcpuSecond: number;
  perGibSecond: number;
}
