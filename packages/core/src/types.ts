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
  /** How `computeUsd` splits, for sandbox intervals. */
  computeParts?: ComputeParts;
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
  /** Disk allocated (GiB), for providers that bill it while running. */
  diskGib?: number;
  /** Sandbox creations this interval accounts for (the first interval of a created sandbox: 1). */
  creations?: number;
  /** Measured CPU time in vCPU-seconds, when the provider reported it. */
  activeCpuSeconds?: number;
  estimated: boolean;
  issues: string[];
}

/**
 * Sandbox rates, in USD. vCPU and memory are per second of running life;
 * the optional keys price what some providers bill beyond them.
 */
export interface ComputeRates {
  perVcpuSecond: number;
  perGibSecond: number;
  /** Per GiB of disk per second of running life (Daytona). */
  perDiskGibSecond?: number;
  /** Per sandbox creation (Vercel). */
  perCreation?: number;
  /**
   * Per vCPU-second of active CPU time (Vercel). When set, it replaces
   * `perVcpuSecond`: CPU is billed for the time used, not the time allocated.
   */
  perActiveCpuSecond?: number;
}

/** The parts of a compute cost; they sum to `computeUsd`. */
export interface ComputeParts {
  cpuUsd: number;
  memoryUsd: number;
  diskUsd: number;
  creationUsd: number;
}
