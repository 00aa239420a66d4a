import type { CostBreakdown, Usage } from '../types';

/** A price per million tokens: flat, or tiered on the call's total input tokens (long-context pricing). */
export type Rate = number | { base: number; tiers: ReadonlyArray<{ start: number; price: number }> };

/**
 * One model's prices in genai-prices' vocabulary (USD per million tokens).
 * Keys we do not use (audio, images, web searches, ...) are ignored.
 */
export interface PriceTable {
  input_mtok?: Rate;
  output_mtok?: Rate;
  cache_read_mtok?: Rate;
  cache_write_mtok?: Rate;
  cache_write_1h_mtok?: Rate;
  output_reasoning_mtok?: Rate;
}

export const PRICE_FIELDS = [
  'input_mtok',
  'output_mtok',
  'cache_read_mtok',
  'cache_write_mtok',
  'cache_write_1h_mtok',
  'output_reasoning_mtok',
] as const satisfies ReadonlyArray<keyof PriceTable>;

export interface PartsResult {
  breakdown: CostBreakdown;
  /** Some tokens had no price at all (e.g. output tokens on an input-only entry). */
  missing: boolean;
  /** At least one token was priced. */
  priced: boolean;
}

/** genai-prices' tier rule: the highest tier whose `start` the total input exceeds. */
function rateAt(rate: unknown, inputTokens: number): number | undefined {
  if (typeof rate === 'number') return rate;
  if (typeof rate !== 'object' || rate === null) return undefined;
  const { base, tiers } = rate as { base: number; tiers: ReadonlyArray<{ start: number; price: number }> };
  let price = base;
  for (const tier of tiers) if (inputTokens > tier.start) price = tier.price;
  return price;
}

/**
 * Splits a call's cost into our parts. Token classes without a price of their
 * own fall back the way genai-prices decomposes usage: cache reads and 5-minute
 * writes to the input price, reasoning to the output price, 1-hour writes to
 * `cache_write_1h_mtok`, else (Anthropic models) 2x base input as Anthropic
 * bills them, else the 5-minute write price. Only tokens with no price on
 * their whole chain are `missing`.
 */
export function priceParts(table: PriceTable, usage: Usage, anthropic: boolean, multiplier: number): PartsResult {
  const total = usage.inputTokens;
  const input = rateAt(table.input_mtok, total);
  const output = rateAt(table.output_mtok, total);
  const cacheRead = rateAt(table.cache_read_mtok, total) ?? input;
  const write5m = rateAt(table.cache_write_mtok, total) ?? input;
  const write1h =
    rateAt(table.cache_write_1h_mtok, total) ?? (anthropic && input !== undefined ? 2 * input : undefined) ?? write5m;
  const reasoning = rateAt(table.output_reasoning_mtok, total) ?? output;

  let missing = false;
  let priced = false;
  const cost = (tokens: number, rate: number | undefined): number => {
    if (tokens <= 0) return 0;
    if (rate === undefined) {
      missing = true;
      return 0;
    }
    priced = true;
    return (tokens * rate * multiplier) / 1e6;
  };

  const uncached = usage.inputTokens - usage.cacheReadTokens - usage.cacheWriteTokens;
  const breakdown: CostBreakdown = {
    inputUsd: cost(uncached, input),
    outputUsd: cost(usage.outputTokens - usage.reasoningTokens, output) + cost(usage.reasoningTokens, reasoning),
    cacheReadUsd: cost(usage.cacheReadTokens, cacheRead),
    cacheWriteUsd:
      cost(usage.cacheWriteTokens - usage.cacheWrite1hTokens, write5m) + cost(usage.cacheWrite1hTokens, write1h),
    computeUsd: 0,
  };
  return { breakdown, missing, priced };
}

export function sumBreakdown(b: CostBreakdown): number {
  return b.inputUsd + b.outputUsd + b.cacheReadUsd + b.cacheWriteUsd + b.computeUsd;
}

export const ZERO_BREAKDOWN: Readonly<CostBreakdown> = Object.freeze({
  inputUsd: 0,
  outputUsd: 0,
  cacheReadUsd: 0,
  cacheWriteUsd: 0,
  computeUsd: 0,
});
