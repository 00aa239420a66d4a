import {
  COST_REASON_MODEL_UNKNOWN,
  COST_REASON_PRICE_INCOMPLETE,
  COST_REASON_USAGE_INVALID,
  COST_REASON_USAGE_MISSING,
  COST_STATUS_PARTIAL,
  COST_STATUS_PRICED,
  COST_STATUS_UNPRICED,
  type CostReason,
  type CostStatus,
  PRICING_SOURCE_GENAI_PRICES,
  PRICING_SOURCE_OVERRIDE,
  PRICING_SOURCE_PROVIDER,
  type PricingSource,
} from '../semconv';
import type { CostBreakdown, LlmCall, PriceResult, Usage } from '../types';
import {
  Catalogue,
  type CatalogueEntry,
  enableRemotePriceUpdates,
  GENAI_PRICES_VERSION,
  type Period,
  periodAt,
} from './catalogue';
import { type PriceOverrides, type PricesFile, readPricesFile, validatePriceOverrides } from './overrides';
import { isAnthropicModel, toGenaiPricesProvider } from './providers';
import {
  emptyBreakdown,
  isFlat,
  PARTS_MISSING,
  PARTS_PRICED,
  type PriceTable,
  partsAt,
  type ResolvedRates,
  resolveRates,
  sumBreakdown,
} from './rates';

export interface LlmPricerOptions {
  /** Prices that win over the catalogue, keyed by model id or `provider/model`; they also win over the price file. */
  overrides?: PriceOverrides;
  /**
   * JSON file of overrides; defaults to the `AGENTBURN_PRICES_FILE`
   * environment variable. Also takes the file already read
   * (`readPricesFile()`), so one reading serves both pricers.
   */
  pricesFile?: string | PricesFile;
  /**
   * Multiplier of the standard price per service tier, for the tier the
   * response reports (else the one requested). Defaults: `batch` and `flex`
   * 0.5, `priority` 1.75. A tier priced this way is marked estimated.
   */
  serviceTierMultipliers?: Record<string, number>;
  /** Fetch newer genai-prices data at run time. Default false: pricing never touches the network. */
  fetchUpdates?: boolean;
}

/**
 * OpenAI bills batch and flex at half the standard price; priority at 1.7x
 * to 2x depending on the model (1.75x for gpt-4.1 and o3, 2x for gpt-5).
 */
export const DEFAULT_SERVICE_TIER_MULTIPLIERS: Readonly<Record<string, number>> = Object.freeze({
  batch: 0.5,
  flex: 0.5,
  priority: 1.75,
});

/** Tiers billed at the standard rate. Anything else unknown is priced at standard and marked estimated. */
const STANDARD_TIERS = new Set(['default', 'auto', 'standard', 'standard_only', 'scale', 'on_demand']);

interface Matched {
  table: PriceTable;
  source: PricingSource;
  model: string;
  providerId: string | undefined;
  version: string | undefined;
  anthropic: boolean;
  /** The resolved rates when no price of `table` is tiered (they then hold for every call). */
  flat: ResolvedRates | undefined;
}

function makeMatched(
  table: PriceTable,
  source: PricingSource,
  model: string,
  providerId: string | undefined,
  version: string | undefined,
): Matched {
  const anthropic = isAnthropicModel(providerId, model);
  const flat = isFlat(table) ? resolveRates(table, anthropic, 0) : undefined;
  return { table, source, model, providerId, version, anthropic, flat };
}

/** Where a price came from, as a result names it. */
interface PriceEntry {
  source: PricingSource;
  model: string | undefined;
  version: string | undefined;
}

/** The provider's own cost figure: no price entry, no version. */
const PROVIDER_FIGURE: PriceEntry = { source: PRICING_SOURCE_PROVIDER, model: undefined, version: undefined };

/** Where `priceInto` writes: one result and one breakdown record, reused span after span. */
export interface PriceRecords {
  result: PriceResult;
  breakdown: CostBreakdown;
}

export function emptyPriceRecords(): PriceRecords {
  return {
    result: {
      status: COST_STATUS_UNPRICED,
      reason: undefined,
      totalUsd: undefined,
      breakdown: undefined,
      source: undefined,
      model: undefined,
      version: undefined,
      estimated: false,
    },
    breakdown: emptyBreakdown(),
  };
}

function unpriced(into: PriceResult | undefined, estimated: boolean, reason: CostReason): PriceResult {
  if (into === undefined) return { status: COST_STATUS_UNPRICED, reason, estimated };
  return fill(into, COST_STATUS_UNPRICED, reason, undefined, undefined, undefined, undefined, undefined, estimated);
}

/** A priced (or partly priced) result, fresh or written into `into`; `version` is left out when the entry has none. */
function priced(
  into: PriceResult | undefined,
  status: CostStatus,
  reason: CostReason | undefined,
  totalUsd: number,
  breakdown: CostBreakdown | undefined,
  estimated: boolean,
  entry: PriceEntry,
): PriceResult {
  if (into !== undefined) {
    return fill(into, status, reason, totalUsd, breakdown, entry.source, entry.model, entry.version, estimated);
  }
  const result: PriceResult = { status, totalUsd, source: entry.source, estimated };
  if (breakdown !== undefined) result.breakdown = breakdown;
  if (entry.model !== undefined) result.model = entry.model;
  if (reason !== undefined) result.reason = reason;
  if (entry.version !== undefined) result.version = entry.version;
  return result;
}

function fill(
  into: PriceResult,
  status: CostStatus,
  reason: CostReason | undefined,
  totalUsd: number | undefined,
  breakdown: CostBreakdown | undefined,
  source: PricingSource | undefined,
  model: string | undefined,
  version: string | undefined,
  estimated: boolean,
): PriceResult {
  into.status = status;
  into.reason = reason;
  into.totalUsd = totalUsd;
  into.breakdown = breakdown;
  into.source = source;
  into.model = model;
  into.version = version;
  into.estimated = estimated;
  return into;
}

function hasTokens(u: Usage): boolean {
  return u.inputTokens > 0 || u.outputTokens > 0;
}

/**
 * Prices LLM calls. Precedence: an override for the model, then the cost the
 * provider reported on the span, then genai-prices at the span's start time.
 * The response model is matched first, then the request model.
 *
 * Status: `unpriced` (no totalUsd) when no price is known or the span reported
 * no tokens at all; `partial` when some tokens had no price on their whole
 * chain (e.g. output tokens on an input-only entry): totalUsd then sums the
 * parts that were priced. Cache tokens without their own price are billed as
 * genai-prices bills them (see `resolveRates`), which is not partial.
 */
export class LlmPricer {
  private readonly catalogue = new Catalogue();
  private readonly overrides: PriceOverrides;
  private readonly hasOverrides: boolean;
  private readonly multipliers: Record<string, number>;
  /** What a catalogue price period resolves to, built once per period (periods live as long as their entry). */
  private readonly byPeriod = new WeakMap<Period, Matched>();

  /**
   * A bad price file never throws (its usable entries apply, the rest is warned about once).
   * @throws PriceFileError when an `overrides` option is malformed (a programming error).
   */
  constructor(options: LlmPricerOptions = {}) {
    const fromFile = readPricesFile(options.pricesFile).overrides;
    const fromOptions = options.overrides ? validatePriceOverrides(options.overrides, 'overrides option') : {};
    this.overrides = { ...fromFile, ...fromOptions };
    this.hasOverrides = Object.keys(this.overrides).length > 0;
    this.multipliers = {};
    for (const [tier, m] of Object.entries({
      ...DEFAULT_SERVICE_TIER_MULTIPLIERS,
      ...options.serviceTierMultipliers,
    })) {
      if (Number.isFinite(m) && m >= 0) this.multipliers[tier.toLowerCase()] = m;
    }
    if (options.fetchUpdates) enableRemotePriceUpdates(() => this.catalogue.clear());
  }

  /** Never throws. `startTime`: a Date or ms since the epoch (the price history is looked up by it). */
  price(call: LlmCall, startTime: Date | number): PriceResult {
    try {
      return this.priceOrThrow(call, typeof startTime === 'number' ? startTime : startTime.getTime(), undefined);
    } catch {
      return unpriced(undefined, call.estimated, COST_REASON_USAGE_INVALID);
    }
  }

  /**
   * `price()` written into `into` (its result and breakdown records, reset
   * first), so that pricing allocates nothing: the processor's path, which
   * reads the result before it prices the next span. Never throws.
   */
  priceInto(call: LlmCall, startTime: number, into: PriceRecords): PriceResult {
    try {
      return this.priceOrThrow(call, startTime, into);
    } catch {
      return unpriced(into.result, call.estimated, COST_REASON_USAGE_INVALID);
    }
  }

  /** The catalogue's memo; exposed for tests and benchmarks of the hot path. */
  get memo(): Catalogue {
    return this.catalogue;
  }

  private priceOrThrow(call: LlmCall, startTime: number, into: PriceRecords | undefined): PriceResult {
    const out = into?.result;
    const override = this.findOverride(call);
    if (override === undefined && call.providerCostUsd !== undefined) {
      // The provider's own figure (OpenRouter, AI Gateway) is what was billed: no split is known.
      return priced(
        out,
        COST_STATUS_PRICED,
        undefined,
        call.providerCostUsd,
        undefined,
        call.estimated,
        PROVIDER_FIGURE,
      );
    }
    if (!hasTokens(call.usage)) return unpriced(out, call.estimated, COST_REASON_USAGE_MISSING);
    const matched = override ?? this.findCatalogue(call, startTime);
    if (matched === undefined) return unpriced(out, call.estimated, COST_REASON_MODEL_UNKNOWN);

    let estimated = call.estimated;
    let multiplier = 1;
    const tier = call.serviceTier?.toLowerCase();
    if (tier !== undefined && !STANDARD_TIERS.has(tier)) {
      // A flat multiplier of the standard price approximates the tier's own
      // price list (which genai-prices does not carry): always an estimate.
      multiplier = this.multipliers[tier] ?? 1;
      estimated = true;
    }
    const rates = matched.flat ?? resolveRates(matched.table, matched.anthropic, call.usage.inputTokens);
    const breakdown = into?.breakdown ?? emptyBreakdown();
    const flags = partsAt(rates, call.usage, multiplier, breakdown);
    if ((flags & PARTS_PRICED) === 0) return unpriced(out, estimated, COST_REASON_PRICE_INCOMPLETE);
    const missing = (flags & PARTS_MISSING) !== 0;
    return priced(
      out,
      missing ? COST_STATUS_PARTIAL : COST_STATUS_PRICED,
      missing ? COST_REASON_PRICE_INCOMPLETE : undefined,
      sumBreakdown(breakdown),
      breakdown,
      estimated,
      matched,
    );
  }

  private findOverride(call: LlmCall): Matched | undefined {
    if (!this.hasOverrides) return undefined;
    const providers = [call.provider, toGenaiPricesProvider(call.provider)].filter((p): p is string => !!p);
    for (const model of [call.responseModel, call.requestModel]) {
      if (!model) continue;
      const id = model.trim().toLowerCase();
      for (const key of [...providers.map((p) => `${p.toLowerCase()}/${id}`), id]) {
        const table = this.overrides[key];
        if (table !== undefined) {
          return makeMatched(table, PRICING_SOURCE_OVERRIDE, key, providers[1], undefined);
        }
      }
    }
    return undefined;
  }

  private findCatalogue(call: LlmCall, startTime: number): Matched | undefined {
    return (
      (call.responseModel ? this.fromCatalogue(call.provider, call.responseModel, startTime) : undefined) ??
      (call.requestModel ? this.fromCatalogue(call.provider, call.requestModel, startTime) : undefined)
    );
  }

  private fromCatalogue(provider: string | undefined, model: string, startTime: number): Matched | undefined {
    const entry = this.catalogue.lookup(provider, model);
    if (entry === null) return undefined;
    const period = periodAt(entry, startTime);
    if (period === undefined) return undefined;
    return this.byPeriod.get(period) ?? this.remember(entry, period);
  }

  private remember(entry: CatalogueEntry, period: Period): Matched {
    const m = makeMatched(
      period.prices,
      PRICING_SOURCE_GENAI_PRICES,
      entry.modelId,
      entry.providerId,
      GENAI_PRICES_VERSION,
    );
    this.byPeriod.set(period, m);
    return m;
  }
}
