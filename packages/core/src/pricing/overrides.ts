import { readFileSync } from 'node:fs';
import { ENV_PRICES_FILE } from '../semconv';
import type { ComputeRates } from '../types';
import { COMPUTE_RATE_KEYS } from './compute-rate-keys';
import { PRICE_FIELDS, type PriceTable, type Rate } from './rates';

/** USD per million tokens; a field may be tiered on total input tokens: `{ "base": 3, "tiers": [{ "start": 200000, "price": 6 }] }`. */
export type PriceOverride = PriceTable;

/** Keyed by model id (`my-model`) or `provider/model` (`azure.ai.openai/gpt-4o`). */
export type PriceOverrides = Record<string, PriceOverride>;

/** A price file or override that cannot be used; the message names the file, the model and the field. */
export class PriceFileError extends Error {
  override name = 'PriceFileError';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isPrice(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}

function checkRate(value: unknown, fail: (problem: string) => never): Rate {
  if (isPrice(value)) return value;
  if (!isRecord(value)) return fail('must be a non-negative number');
  const { base, tiers } = value;
  if (!isPrice(base)) return fail('base must be a non-negative number');
  if (
    !Array.isArray(tiers) ||
    !tiers.every((t) => isRecord(t) && Number.isSafeInteger(t.start) && (t.start as number) >= 0 && isPrice(t.price))
  ) {
    return fail('tiers must be a list of { "start": non-negative integer, "price": non-negative number }');
  }
  const sorted = (tiers as Array<{ start: number; price: number }>)
    .map(({ start, price }) => ({ start, price }))
    .sort((a, b) => a.start - b.start);
  return { base, tiers: sorted };
}

/**
 * Validates overrides (from a file or from code) and returns a normalised
 * copy with lower-cased keys. `origin` prefixes every message, e.g.
 * `AGENTBURN_PRICES_FILE /etc/prices.json`.
 */
export function validatePriceOverrides(value: unknown, origin: string): PriceOverrides {
  if (!isRecord(value)) throw new PriceFileError(`${origin}: must be a JSON object of model ids to prices`);
  const result: PriceOverrides = {};
  for (const [model, prices] of Object.entries(value)) {
    if (model === COMPUTE_RATES_KEY) continue; // sandbox rates: read by readComputeRates
    const where = `${origin}: model "${model}"`;
    if (!isRecord(prices)) throw new PriceFileError(`${where}: must be an object of prices`);
    const entry: PriceTable = {};
    for (const [field, rate] of Object.entries(prices)) {
      if (!(PRICE_FIELDS as readonly string[]).includes(field)) {
        throw new PriceFileError(`${where}: field "${field}" is not a price field (${PRICE_FIELDS.join(', ')})`);
      }
      entry[field as keyof PriceTable] = checkRate(rate, (problem) => {
        throw new PriceFileError(`${where}: field "${field}" ${problem}`);
      });
    }
    if (Object.keys(entry).length === 0) throw new PriceFileError(`${where}: has no price fields`);
    result[model.trim().toLowerCase()] = entry;
  }
  return result;
}

/** The price file's section of sandbox rates, shaped as the `computeRates` option: `{ "computeRates": { "daytona": { "perVcpuSecond": 0.00001 } } }`. */
export const COMPUTE_RATES_KEY = 'computeRates';

/**
 * Validates the `computeRates` section of a price file (or the option of
 * that name): provider names to rate keys, each a non-negative number.
 */
export function validateComputeRates(value: unknown, origin: string): Record<string, Partial<ComputeRates>> {
  if (value === undefined) return {};
  if (!isRecord(value))
    throw new PriceFileError(`${origin}: "${COMPUTE_RATES_KEY}" must be an object of providers to rates`);
  const result: Record<string, Partial<ComputeRates>> = {};
  for (const [provider, rates] of Object.entries(value)) {
    const where = `${origin}: "${COMPUTE_RATES_KEY}" provider "${provider}"`;
    if (!isRecord(rates)) throw new PriceFileError(`${where}: must be an object of rates`);
    const entry: Partial<ComputeRates> = {};
    for (const [key, rate] of Object.entries(rates)) {
      if (!(COMPUTE_RATE_KEYS as readonly string[]).includes(key)) {
        throw new PriceFileError(`${where}: "${key}" is not a rate key (${COMPUTE_RATE_KEYS.join(', ')})`);
      }
      if (!isPrice(rate)) throw new PriceFileError(`${where}: "${key}" must be a non-negative number`);
      entry[key as keyof ComputeRates] = rate;
    }
    result[provider.trim().toLowerCase()] = entry;
  }
  return result;
}

/** The sandbox rates of a JSON price file (none when it has no `computeRates` section). */
export function loadComputeRates(file: string): Record<string, Partial<ComputeRates>> {
  const origin = `${ENV_PRICES_FILE} ${file}`;
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new PriceFileError(`${origin}: cannot be read as JSON`, { cause: err });
  }
  return validateComputeRates(isRecord(json) ? json[COMPUTE_RATES_KEY] : undefined, origin);
}

/** Reads and validates a JSON price file; a PriceFileError names the file, the model and the field. */
export function loadPriceOverrides(file: string): PriceOverrides {
  const origin = `${ENV_PRICES_FILE} ${file}`;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new PriceFileError(`${origin}: cannot be read${code ? ` (${code})` : ''}`, { cause: err });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new PriceFileError(`${origin}: is not valid JSON`, { cause: err });
  }
  return validatePriceOverrides(json, origin);
}
