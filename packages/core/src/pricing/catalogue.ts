import {
  calcPrice,
  findProvider,
  type ModelInfo,
  type ModelPrice,
  type ProviderDataValue,
  updatePrices,
  waitForUpdate,
} from '@pydantic/genai-prices';
import { catalogueModelId, toGenaiPricesProvider } from './providers';
import type { PriceTable } from './rates';

/**
 * Version of the bundled genai-prices data: the package version, since the
 * package ships its data with each release. A test pins it to the installed
 * package so an upgrade cannot leave it stale.
 */
export const GENAI_PRICES_VERSION = '0.1.8';

/** A price period: always, from a start date, or in a daily UTC window (off-peak pricing). */
export type Period = { from: number; prices: PriceTable } | { start: number; end: number; prices: PriceTable };

/** One matched price entry, its price history parsed once. */
export interface CatalogueEntry {
  providerId: string;
  /** genai-prices model id, e.g. `gpt-4o` for `gpt-4o-2024-08-06`. */
  modelId: string;
  /** In the data's order; like genai-prices, the last one that holds at the call's start applies. */
  periods: ReadonlyArray<Period>;
}

/** Memo entries kept at most; a span stream with ever-new model names cannot grow it without bound. */
const MEMO_LIMIT = 2048;

/** Seconds since midnight UTC of `HH:MM:SS[.fff](Z|±HH:MM)`. */
function secondsOfDay(text: string): number | undefined {
  const m = /^(\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(Z|([+-])(\d{2}):(\d{2}))$/.exec(text);
  if (!m) return undefined;
  const local = Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]);
  const offset = m[4] === 'Z' ? 0 : (m[5] === '+' ? 1 : -1) * (Number(m[6]) * 3600 + Number(m[7]) * 60);
  return (((local - offset) % 86400) + 86400) % 86400;
}

function toEntry(providerId: string, model: ModelInfo): CatalogueEntry {
  const table = (prices: ModelPrice) => prices as PriceTable;
  if (!Array.isArray(model.prices)) {
    return { providerId, modelId: model.id, periods: [{ from: -Infinity, prices: table(model.prices) }] };
  }
  const periods: Period[] = [];
  for (const period of model.prices) {
    const c = period.constraint;
    if (c === undefined) periods.push({ from: -Infinity, prices: table(period.prices) });
    else if (c.type === 'start_date') periods.push({ from: Date.parse(c.start_date), prices: table(period.prices) });
    else if (c.type === 'time_of_date') {
      const start = secondsOfDay(c.start_time);
      const end = secondsOfDay(c.end_time);
      if (start !== undefined && end !== undefined) periods.push({ start, end, prices: table(period.prices) });
    }
  }
  return { providerId, modelId: model.id, periods };
}

/**
 * The genai-prices catalogue behind a memo keyed by (provider, model): rule
 * matching runs once per pair, the hot path is a Map lookup plus choosing the
 * price period for the call's start time.
 */
export class Catalogue {
  // provider -> model -> entry: a hit is two Map lookups, no key string built per call.
  private readonly memo = new Map<string, Map<string, CatalogueEntry | null>>();
  private memoSize = 0;

  /** The price entry for a model, or null when genai-prices has none. Never throws. */
  lookup(provider: string | undefined, model: string): CatalogueEntry | null {
    let byModel = this.memo.get(provider ?? '');
    const hit = byModel?.get(model);
    if (hit !== undefined) return hit;
    const entry = this.match(provider, model);
    if (this.memoSize >= MEMO_LIMIT) {
      this.memo.clear();
      this.memoSize = 0;
      byModel = undefined;
    }
    if (byModel === undefined) {
      byModel = new Map();
      this.memo.set(provider ?? '', byModel);
    }
    byModel.set(model, entry);
    this.memoSize++;
    return entry;
  }

  /**
   * Runs genai-prices' matching rules (the memo's miss path). With a provider
   * genai-prices knows, only that provider and its declared fallbacks are
   * searched; otherwise a `vendor/model` id (gateways, OpenRouter) is tried
   * under its vendor, then the model alone.
   */
  match(provider: string | undefined, model: string): CatalogueEntry | null {
    const providerId = toGenaiPricesProvider(provider);
    if (providerId !== undefined && findProvider({ providerId }) !== undefined) {
      return this.find(catalogueModelId(providerId, model), providerId);
    }
    const slash = model.indexOf('/');
    if (slash > 0) {
      const vendor = toGenaiPricesProvider(model.slice(0, slash));
      if (vendor !== undefined && findProvider({ providerId: vendor }) !== undefined) {
        const entry = this.find(model.slice(slash + 1), vendor);
        if (entry !== null) return entry;
      }
    }
    return this.find(model, undefined);
  }

  /** Forgets every match, e.g. after the price data was updated. */
  clear(): void {
    this.memo.clear();
    this.memoSize = 0;
  }

  private find(model: string, providerId: string | undefined): CatalogueEntry | null {
    try {
      // Zero usage: we want genai-prices' match (model entry + provider), not its sum.
      const result = calcPrice({}, model, providerId === undefined ? undefined : { providerId });
      return result === null ? null : toEntry(result.provider.id, result.model);
    } catch {
      return null;
    }
  }
}

/**
 * The price period of `entry` in force at `at` (ms since the epoch), by
 * genai-prices' own rule; the first period when none holds.
 */
export function periodAt(entry: CatalogueEntry, at: number): Period | undefined {
  const periods = entry.periods;
  const second = ((Math.floor(at / 1000) % 86400) + 86400) % 86400;
  for (let i = periods.length - 1; i >= 0; i--) {
    const p = periods[i]!;
    if ('from' in p) {
      if (at >= p.from) return p;
    } else if (p.end < p.start ? second >= p.start || second < p.end : second >= p.start && second < p.end) {
      return p;
    }
  }
  return periods[0];
}

/**
 * Opt-in run-time refresh of genai-prices' data (off by default: pricing
 * never touches the network unless asked). Every catalogue is cleared once
 * the new data is active.
 */
export function enableRemotePriceUpdates(onUpdated: () => void): void {
  updatePrices(({ remoteDataUrl, setProviderData }) => {
    setProviderData(
      fetch(remoteDataUrl).then((response) => (response.ok ? (response.json() as Promise<ProviderDataValue>) : null)),
    );
  });
  waitForUpdate().then(onUpdated, () => {});
}
