import { closeSync, constants, fstatSync, openSync, readFileSync, type Stats } from 'node:fs';
import { diag } from '@opentelemetry/api';
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
  /** The model whose entry is at fault; undefined when the whole file is. */
  model: string | undefined;
}

/** What could be used from a price file or an overrides object, and one error per entry (or file) left out. */
export interface PriceOverridesReading {
  overrides: PriceOverrides;
  problems: PriceFileError[];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isPrice(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}

/** The rate, or the problem with it. */
function checkRate(value: unknown): Rate | string {
  if (isPrice(value)) return value;
  if (!isRecord(value)) return 'must be a non-negative number';
  const { base, tiers } = value;
  if (!isPrice(base)) return 'base must be a non-negative number';
  if (
    !Array.isArray(tiers) ||
    !tiers.every((t) => isRecord(t) && Number.isSafeInteger(t.start) && (t.start as number) >= 0 && isPrice(t.price))
  ) {
    return 'tiers must be a list of { "start": non-negative integer, "price": non-negative number }';
  }
  const sorted = (tiers as Array<{ start: number; price: number }>)
    .map(({ start, price }) => ({ start, price }))
    .sort((a, b) => a.start - b.start);
  return { base, tiers: sorted };
}

/** One model's prices, or the problem that leaves the whole entry out (a half-priced model would bill wrong). */
function checkEntry(prices: unknown, origin: string, model: string): PriceTable | PriceFileError {
  const entry = checkPrices(prices, `${origin}: model "${model}"`);
  if (entry instanceof PriceFileError) entry.model = model;
  return entry;
}

function checkPrices(prices: unknown, where: string): PriceTable | PriceFileError {
  if (!isRecord(prices)) return new PriceFileError(`${where}: must be an object of prices`);
  const entry: PriceTable = {};
  for (const [field, rate] of Object.entries(prices)) {
    if (!(PRICE_FIELDS as readonly string[]).includes(field)) {
      return new PriceFileError(`${where}: field "${field}" is not a price field (${PRICE_FIELDS.join(', ')})`);
    }
    const checked = checkRate(rate);
    if (typeof checked === 'string') return new PriceFileError(`${where}: field "${field}" ${checked}`);
    entry[field as keyof PriceTable] = checked;
  }
  if (Object.keys(entry).length === 0) return new PriceFileError(`${where}: has no price fields`);
  return entry;
}

/**
 * Validates overrides and keeps every usable entry: a malformed model is
 * left out with one error naming it, the others still apply. Keys are
 * lower-cased. `origin` prefixes every message, e.g.
 * `AGENTBURN_PRICES_FILE /etc/prices.json`.
 */
export function readPriceOverridesValue(value: unknown, origin: string): PriceOverridesReading {
  if (!isRecord(value)) {
    return { overrides: {}, problems: [new PriceFileError(`${origin}: must be a JSON object of model ids to prices`)] };
  }
  const overrides: PriceOverrides = {};
  const problems: PriceFileError[] = [];
  for (const [model, prices] of Object.entries(value)) {
    if (model === COMPUTE_RATES_KEY) continue; // sandbox rates: read by readComputeRates
    const entry = checkEntry(prices, origin, model);
    if (entry instanceof PriceFileError) problems.push(entry);
    else overrides[model.trim().toLowerCase()] = entry;
  }
  return { overrides, problems };
}

/** Validates overrides (from a file or from code) and returns a normalised copy; throws the first problem. */
export function validatePriceOverrides(value: unknown, origin: string): PriceOverrides {
  const { overrides, problems } = readPriceOverridesValue(value, origin);
  if (problems[0]) throw problems[0];
  return overrides;
}

const KIND_NAMES: ReadonlyArray<[keyof Stats, string]> = [
  ['isDirectory', 'a directory'],
  ['isFIFO', 'a FIFO'],
  ['isSocket', 'a socket'],
  ['isCharacterDevice', 'a character device'],
  ['isBlockDevice', 'a block device'],
];

/**
 * The file's text. Opened non-blocking and checked before reading: a FIFO or
 * device would hang the host on read, so anything but a regular file is refused.
 */
function readRegularFile(file: string, origin: string): string {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new PriceFileError(`${origin}: cannot be read${code ? ` (${code})` : ''}`, { cause: err });
  }
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) {
      const kind = KIND_NAMES.find(([test]) => (stats[test] as () => boolean).call(stats))?.[1] ?? 'not a file';
      throw new PriceFileError(`${origin}: is not a regular file (${kind})`);
    }
    return readFileSync(fd, 'utf8');
  } catch (err) {
    if (err instanceof PriceFileError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    throw new PriceFileError(`${origin}: cannot be read${code ? ` (${code})` : ''}`, { cause: err });
  } finally {
    closeSync(fd);
  }
}

/** The JSON of a price file; throws a PriceFileError naming the file. */
function readJsonFile(file: string, origin: string): unknown {
  const text = readRegularFile(file, origin);
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new PriceFileError(`${origin}: is not valid JSON`, { cause: err });
  }
}

function originOf(file: string): string {
  return `${ENV_PRICES_FILE} ${file}`;
}

/** Reads a JSON price file, keeping every usable entry; never throws. */
export function readPriceOverrides(file: string): PriceOverridesReading {
  const origin = originOf(file);
  let json: unknown;
  try {
    json = readJsonFile(file, origin);
  } catch (err) {
    return { overrides: {}, problems: [err as PriceFileError] };
  }
  return readPriceOverridesValue(json, origin);
}

/** Reads and validates a JSON price file; a PriceFileError names the file, the model and the field. */
export function loadPriceOverrides(file: string): PriceOverrides {
  const { overrides, problems } = readPriceOverrides(file);
  if (problems[0]) throw problems[0];
  return overrides;
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

/** The sandbox rates of a JSON price file (none when it has no `computeRates` section); throws a PriceFileError. */
export function loadComputeRates(file: string): Record<string, Partial<ComputeRates>> {
  const origin = originOf(file);
  return computeRatesOf(readJsonFile(file, origin), origin);
}

function computeRatesOf(json: unknown, origin: string): Record<string, Partial<ComputeRates>> {
  return validateComputeRates(isRecord(json) ? json[COMPUTE_RATES_KEY] : undefined, origin);
}

/** A price file as the SDK uses it: what both pricers take from it, read once. */
export interface PricesFile {
  /** Model prices, by lower-cased model id or `provider/model`. */
  overrides: PriceOverrides;
  /** Sandbox rates by provider: the `computeRates` section. */
  computeRates: Record<string, Partial<ComputeRates>>;
}

const NO_PRICES_FILE: PricesFile = { overrides: {}, computeRates: {} };

/**
 * Reads the price file once for the LLM and the sandbox pricers alike:
 * `file` (a path, or a file already read), else `AGENTBURN_PRICES_FILE`;
 * `''` for none. Keeps every usable entry and says once, naming the file and
 * the field, each entry, section or file left out. A typo in a price file
 * must never turn telemetry off: the catalogue and the published rates price
 * the rest. Never throws.
 */
export function readPricesFile(file: string | PricesFile | undefined = process.env[ENV_PRICES_FILE]): PricesFile {
  if (typeof file === 'object') return file;
  if (!file) return NO_PRICES_FILE;
  const origin = originOf(file);
  let json: unknown;
  try {
    json = readJsonFile(file, origin);
  } catch (err) {
    warnIgnored(err as PriceFileError, 'the file is ignored, prices come from the catalogue');
    return NO_PRICES_FILE;
  }
  const { overrides, problems } = readPriceOverridesValue(json, origin);
  for (const problem of problems) {
    const ignored = problem.model === undefined ? 'the file is ignored' : 'that model is ignored';
    warnIgnored(problem, `${ignored}, prices come from the catalogue`);
  }
  let computeRates: Record<string, Partial<ComputeRates>> = {};
  try {
    computeRates = computeRatesOf(json, origin);
  } catch (err) {
    warnIgnored(err as PriceFileError, 'the section is ignored, sandboxes are priced at the published rates');
  }
  return { overrides, computeRates };
}

function warnIgnored(problem: PriceFileError, consequence: string): void {
  diag.warn(`@agentburn/core: ${problem.message}; ${consequence}`);
}
