import {
  COST_STATUS_PARTIAL,
  COST_STATUS_PRICED,
  COST_STATUS_UNPRICED,
  ENV_PRICES_FILE,
  PRICING_SOURCE_GENAI_PRICES,
  PRICING_SOURCE_OVERRIDE,
  PRICING_SOURCE_PROVIDER,
  type PricingSource,
} from '../semconv';
import type { LlmCall, PriceResult, Usage } from '../types';
import { Catalogue, enableRemotePriceUpdates, GENAI_PRICES_VERSION, pricesAt } from './catalogue';
import { loadPriceOverrides, type PriceOverrides, validatePriceOverrides } from './overrides';
import { isAnthropicModel, toGenaiPricesProvider } from './providers';
import { type PriceTable, priceParts, sumBreakdown } from './rates';

export interface LlmPricerOptions {
  /** Prices that win over the catalogue, keyed by model id or `provider/model`; they also win over the price file. */
  overrides?: PriceOverrides;
  /** JSON file of overrides; defaults to the `AGENTBURN_PRICES_FILE` environment variable. */
  pricesFile?: string;
  /** Multiplier per service tier. Defaults: `batch` and `flex` 0.5; `priority` only when given here. */
  serviceTierMultipliers?: Record<string, number>;
  /** Fetch newer genai-prices data at run time. Default false: pricing never touches the network. */
  fetchUpdates?: boolean;
}

export const DEFAULT_SERVICE_TIER_MULTIPLIERS: Readonly<Record<string, number>> = Object.freeze({
  batch: 0.5,
  flex: 0.5,
});

/** Tiers billed at the standard rate. Anything else unknown is priced at standard and marked estimated. */
const STANDARD_TIERS = new Set(['default', 'auto', 'standard', 'standard_only', 'scale', 'on_demand']);

interface Matched {
  table: PriceTable;
  source: PricingSource;
  model: string;
  providerId: string | undefined;
  version: string | undefined;
}

function unpriced(call: { estimated: boolean }): PriceResult {
  return { status: COST_STATUS_UNPRICED, estimated: call.estimated };
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
 * genai-prices bills them (see `priceParts`), which is not partial.
 */
export class LlmPricer {
  private readonly catalogue = new Catalogue();
  private readonly overrides: PriceOverrides;
  private readonly hasOverrides: boolean;
  private readonly multipliers: Record<string, number>;

  /** @throws PriceFileError when the price file or an override is malformed. */
  constructor(options: LlmPricerOptions = {}) {
    const file = options.pricesFile ?? process.env[ENV_PRICES_FILE];
    const fromFile = file ? loadPriceOverrides(file) : {};
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

  /** Never throws. */
  price(call: LlmCall, startTime: Date): PriceResult {
    try {
      return this.priceOrThrow(call, startTime);
    } catch {
      return unpriced(call);
    }
  }

  /** The catalogue's memo; exposed for tests and benchmarks of the hot path. */
  get memo(): Catalogue {
    return this.catalogue;
  }

  private priceOrThrow(call: LlmCall, startTime: Date): PriceResult {
    const override = this.findOverride(call);
    if (override === undefined && call.providerCostUsd !== undefined) {
      // The provider's own figure (OpenRouter, AI Gateway) is what was billed: no split is known.
      return {
        status: COST_STATUS_PRICED,
        totalUsd: call.providerCostUsd,
        source: PRICING_SOURCE_PROVIDER,
        estimated: call.estimated,
      };
    }
    if (!hasTokens(call.usage)) return unpriced(call);
    const matched = override ?? this.findCatalogue(call, startTime);
    if (matched === undefined) return unpriced(call);

    let estimated = call.estimated;
    let multiplier = 1;
    const tier = call.serviceTier?.toLowerCase();
    if (tier !== undefined && !STANDARD_TIERS.has(tier)) {
      const m = this.multipliers[tier];
      if (m !== undefined) multiplier = m;
      else estimated = true;
    }
    const anthropic = isAnthropicModel(matched.providerId, matched.model);
    const { breakdown, missing, priced } = priceParts(matched.table, call.usage, anthropic, multiplier);
    if (!priced) return unpriced({ estimated });
    const result: PriceResult = {
      status: missing ? COST_STATUS_PARTIAL : COST_STATUS_PRICED,
      totalUsd: sumBreakdown(breakdown),
      breakdown,
      source: matched.source,
      model: matched.model,
      estimated,
    };
    if (matched.version !== undefined) result.version = matched.version;
    return result;
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
          return { table, source: PRICING_SOURCE_OVERRIDE, model: key, providerId: providers[1], version: undefined };
        }
      }
    }
    return undefined;
  }

  private findCatalogue(call: LlmCall, startTime: Date): Matched | undefined {
    for (const model of [call.responseModel, call.requestModel]) {
      if (!model) continue;
      const entry = this.catalogue.lookup(call.provider, model);
      if (entry === null) continue;
      const table = pricesAt(entry, startTime);
      if (table === undefined) continue;
      return {
        table,
        source: PRICING_SOURCE_GENAI_PRICES,
        model: entry.modelId,
        providerId: entry.providerId,
        version: GENAI_PRICES_VERSION,
      };
    }
    return undefined;
  }
}
