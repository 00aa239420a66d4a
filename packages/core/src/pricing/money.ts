/**
 * How the figures we write are kept sane: every USD amount is rounded to
 * {@link USD_SIGNIFICANT_DIGITS} significant digits (float noise such as
 * `0.014249999999999999` becomes `0.01425`; no price has more digits than
 * that), `-0` becomes `0`, and an amount that is not a finite number in
 * `[0, MAX_PLAUSIBLE_SPAN_USD]` is refused rather than summed.
 */

/** Significant digits kept in every USD figure we write. */
export const USD_SIGNIFICANT_DIGITS = 12;

/**
 * No single LLM call or sandbox interval costs a million dollars: a larger
 * figure comes from a malformed count or a reported cost gone wrong, and
 * summing it would turn trace totals into nonsense (or `Infinity`).
 */
export const MAX_PLAUSIBLE_SPAN_USD = 1_000_000;

/** Powers of ten up to 1e22 are exact doubles, so scaling by them rounds correctly. */
const EXACT_POWERS = 22;
const POWERS_OF_TEN = Array.from({ length: EXACT_POWERS + 1 }, (_, i) => 10 ** i);

/** `usd` rounded to 12 significant digits; `-0` -> `0`. Callers pass finite, non-negative amounts. */
export function roundUsd(usd: number): number {
  if (usd === 0 || !Number.isFinite(usd)) return usd === 0 ? 0 : usd;
  const exponent = Math.floor(Math.log10(Math.abs(usd)));
  const scale = USD_SIGNIFICANT_DIGITS - 1 - exponent;
  if (scale < 0 || scale > EXACT_POWERS) return Number(usd.toPrecision(USD_SIGNIFICANT_DIGITS)) + 0;
  const factor = POWERS_OF_TEN[scale] as number;
  return Math.round(usd * factor) / factor + 0;
}

/** True for an amount we may write and sum: finite, not negative, not implausibly large. */
export function isPlausibleUsd(usd: unknown): usd is number {
  return typeof usd === 'number' && usd >= 0 && usd <= MAX_PLAUSIBLE_SPAN_USD;
}
