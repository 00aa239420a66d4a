import { findProvider } from '@pydantic/genai-prices';
import { Catalogue, type CatalogueEntry, type Period, periodAt } from './catalogue';
import { toGenaiPricesProvider } from './providers';
import { PRICE_FIELDS, type PriceTable } from './rates';

/**
 * The long-context tier a call's input count falls in, for a price entry
 * tiered on total input tokens (genai-prices' rule: a tier applies when the
 * input exceeds its start).
 */
export interface PriceTier {
  /** 0: the base prices; n: the n-th tier above them. */
  level: number;
  /** The tier applies to calls with more input tokens than this (absent at level 0). */
  inputAbove?: number;
  /** The next tier starts above this many input tokens (absent at the top tier). */
  nextAbove?: number;
}

/** Which of the price entry's dated or daily prices applied. */
export type PricePeriod =
  /** One price in the data, with no start date. */
  | { kind: 'only' }
  /** The first recorded price, with no start date in the data; replaced on `until`. */
  | { kind: 'first'; until: string }
  /** A price in force from a date (and until the next one, if any). */
  | { kind: 'from'; from: string; until?: string }
  /** A daily time-of-day price (UTC, `HH:MM`), in force at that time. */
  | { kind: 'daily'; startUtc: string; endUtc: string }
  /** The entry has a daily time-of-day price that was not in force at that time: the regular price applied. */
  | { kind: 'outside-daily'; startUtc: string; endUtc: string }
  /** The date is before every dated price of the entry: no price applies. */
  | { kind: 'before-first'; firstFrom: string };

const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const clock = (seconds: number) =>
  `${String(Math.floor(seconds / 3600)).padStart(2, '0')}:${String(Math.floor((seconds % 3600) / 60)).padStart(2, '0')}`;

/** The tier of `table` that `inputTokens` falls in, or undefined when no price of it is tiered. */
export function tierOf(table: PriceTable, inputTokens: number): PriceTier | undefined {
  const starts = new Set<number>();
  for (const field of PRICE_FIELDS) {
    const rate = table[field];
    if (rate !== undefined && typeof rate !== 'number') for (const t of rate.tiers) starts.add(t.start);
  }
  if (starts.size === 0) return undefined;
  const sorted = [...starts].sort((a, b) => a - b);
  const level = sorted.filter((start) => inputTokens > start).length;
  const tier: PriceTier = { level };
  if (level > 0) tier.inputAbove = sorted[level - 1]!;
  if (level < sorted.length) tier.nextAbove = sorted[level]!;
  return tier;
}

/** Which period of `entry` holds at `at` (ms), told the way a reader needs it. */
export function periodOf(entry: CatalogueEntry, at: number): PricePeriod {
  const dated = entry.periods.filter((p): p is Extract<Period, { from: number }> => 'from' in p);
  const starts = dated.map((p) => p.from).filter(Number.isFinite);
  const undated = dated.some((p) => p.from === -Infinity);
  if (!undated && starts.length > 0 && at < Math.min(...starts)) {
    return { kind: 'before-first', firstFrom: day(Math.min(...starts)) };
  }
  const period = periodAt(entry, at);
  if (period === undefined || entry.periods.length === 1) return { kind: 'only' };
  if (!('from' in period)) return { kind: 'daily', startUtc: clock(period.start), endUtc: clock(period.end) };
  const later = starts.filter((s) => s > period.from);
  const until = later.length > 0 ? day(Math.min(...later)) : undefined;
  if (period.from === -Infinity) {
    if (until !== undefined) return { kind: 'first', until };
    const daily = entry.periods.find((p) => !('from' in p));
    return daily && !('from' in daily)
      ? { kind: 'outside-daily', startUtc: clock(daily.start), endUtc: clock(daily.end) }
      : { kind: 'only' };
  }
  return until === undefined
    ? { kind: 'from', from: day(period.from) }
    : { kind: 'from', from: day(period.from), until };
}

let catalogue: Catalogue | undefined;

/** The catalogue entry the pricer matches for this provider and model (same rules), or null. */
export function catalogueEntry(provider: string | undefined, model: string): CatalogueEntry | null {
  catalogue ??= new Catalogue();
  return catalogue.lookup(provider, model);
}

/**
 * True when the price data knows the provider: a GenAI semconv name we map
 * (`openai`, `gcp.gemini`, `aws.bedrock`, ...) or a genai-prices provider id
 * (`google`, `openrouter`, ...).
 */
export function isKnownPriceProvider(provider: string): boolean {
  const id = toGenaiPricesProvider(provider);
  return id !== undefined && findProvider({ providerId: id }) !== undefined;
}
