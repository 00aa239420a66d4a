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

/** `partsAt` flags: at least one token was priced. */
export const PARTS_PRICED = 1;
/** `partsAt` flags: some tokens had no price at all (e.g. output tokens on an input-only entry). */
export const PARTS_MISSING = 2;

/** genai-prices' tier rule: the highest tier whose `start` the total input exceeds. */
function rateAt(rate: unknown, inputTokens: number): number | undefined {
  if (typeof rate === 'number') return rate;
  if (typeof rate !== 'object' || rate === null) return undefined;
  const { base, tiers } = rate as { base: number; tiers: ReadonlyArray<{ start: number; price: number }> };
  let price = base;
  for (const tier of tiers) if (inputTokens > tier.start) price = tier.price;
  return price;
}

/** The per-million rate of each token class after the fallbacks; undefined = no price on its whole chain. */
export interface ResolvedRates {
  input: number | undefined;
  output: number | undefined;
  cacheRead: number | undefined;
  write5m: number | undefined;
  write1h: number | undefined;
  reasoning: number | undefined;
}

/**
 * Token classes without a price of their own fall back the way genai-prices
 * decomposes usage: cache reads and 5-minute writes to the input price,
 * reasoning to the output price, 1-hour writes to `cache_write_1h_mtok`, else
 * (Anthropic models) 2x base input as Anthropic bills them, else the 5-minute
 * write price.
 */
export function resolveRates(table: PriceTable, anthropic: boolean, inputTokens: number): ResolvedRates {
  const input = rateAt(table.input_mtok, inputTokens);
  const output = rateAt(table.output_mtok, inputTokens);
  const write5m = rateAt(table.cache_write_mtok, inputTokens) ?? input;
  return {
    input,
    output,
    cacheRead: rateAt(table.cache_read_mtok, inputTokens) ?? input,
    write5m,
    write1h:
      rateAt(table.cache_write_1h_mtok, inputTokens) ??
      (anthropic && input !== undefined ? 2 * input : undefined) ??
      write5m,
    reasoning: rateAt(table.output_reasoning_mtok, inputTokens) ?? output,
  };
}

/** True when no price of `table` is tiered: its resolved rates hold for every call. */
export function isFlat(table: PriceTable): boolean {
  for (const field of PRICE_FIELDS) {
    const rate = table[field];
    if (rate !== undefined && typeof rate !== 'number') return false;
  }
  return true;
}

/**
 * Splits a call's cost into our parts, with the rates already resolved (see
 * `resolveRates` for the fallbacks; the pricer caches them for flat tables).
 * Only tokens with no price on their whole chain are `missing`. Fills
 * `breakdown` and returns `PARTS_PRICED` / `PARTS_MISSING` flags.
 */
export function partsAt(rates: ResolvedRates, usage: Usage, multiplier: number, breakdown: CostBreakdown): number {
  const uncached = usage.inputTokens - usage.cacheReadTokens - usage.cacheWriteTokens;
  const plainOutput = usage.outputTokens - usage.reasoningTokens;
  const write5m = usage.cacheWriteTokens - usage.cacheWrite1hTokens;
  breakdown.inputUsd = charge(uncached, rates.input, multiplier);
  breakdown.outputUsd =
    charge(plainOutput, rates.output, multiplier) + charge(usage.reasoningTokens, rates.reasoning, multiplier);
  breakdown.cacheReadUsd = charge(usage.cacheReadTokens, rates.cacheRead, multiplier);
  breakdown.cacheWriteUsd =
    charge(write5m, rates.write5m, multiplier) + charge(usage.cacheWrite1hTokens, rates.write1h, multiplier);
  breakdown.computeUsd = 0;
  breakdown.computeParts = undefined;
  return (
    tokenFlags(uncached, rates.input) |
    tokenFlags(plainOutput, rates.output) |
    tokenFlags(usage.reasoningTokens, rates.reasoning) |
    tokenFlags(usage.cacheReadTokens, rates.cacheRead) |
    tokenFlags(write5m, rates.write5m) |
    tokenFlags(usage.cacheWrite1hTokens, rates.write1h)
  );
}

/** A breakdown of zeros, to be filled. */
export function emptyBreakdown(): CostBreakdown {
  return { inputUsd: 0, outputUsd: 0, cacheReadUsd: 0, cacheWriteUsd: 0, computeUsd: 0, computeParts: undefined };
}

// One token class: 0 without tokens; missing without a rate; else tokens x rate.
// Plain functions, not a closure over flags: no allocation per priced call.
function charge(tokens: number, rate: number | undefined, multiplier: number): number {
  return tokens > 0 && rate !== undefined ? (tokens * rate * multiplier) / 1e6 : 0;
}

/** One token class's flags: none without tokens; priced with a rate; missing without one. */
function tokenFlags(tokens: number, rate: number | undefined): number {
  if (tokens > 0) return rate === undefined ? PARTS_MISSING : PARTS_PRICED;
  return 0;
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
