import {
  COST_STATUS_UNPRICED,
  type CostStatus,
  PRICING_SOURCE_GENAI_PRICES,
  PRICING_SOURCE_OVERRIDE,
  type PricingSource,
} from '../semconv';
import type { CostBreakdown, LlmCall } from '../types';
import { normaliseUsage } from '../usage/read';
import { GENAI_PRICES_VERSION, periodAt } from './catalogue';
import { LlmPricer } from './llm-pricer';
import type { PriceOverrides } from './overrides';
import { catalogueEntry, type PricePeriod, type PriceTier, periodOf, tierOf } from './quote-terms';
import { ZERO_BREAKDOWN } from './rates';

export interface QuoteTokens {
  /** All input tokens, cached reads and writes included. */
  input: number;
  output: number;
  cacheRead?: number;
  cacheWrite?: number;
}

export interface QuoteOptions {
  provider?: string;
  /** Price at this date (price history); default now. */
  at?: Date;
  overrides?: PriceOverrides;
}

export interface LlmQuote {
  matchedModel?: string;
  provider?: string;
  parts: CostBreakdown;
  totalUsd?: number;
  status: CostStatus;
  version: string;
  /** Where the price came from: `genai-prices` or `override`. */
  source?: PricingSource;
  /** The long-context tier the input fell in, when the matched prices are tiered on input tokens. */
  tier?: PriceTier;
  /** Which dated or daily price of the catalogue entry applied (catalogue prices only). */
  period?: PricePeriod;
}

let sharedPricer: LlmPricer | undefined;

/** Counts typed on a command line: anything but a finite non-negative number counts as 0. */
const count = (value: number | undefined): number =>
  typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : 0;

/**
 * What `agentburn price` prints: the cost of one call with these tokens, from
 * the bundled genai-prices data (never the network), plus `overrides` if given.
 */
export function quoteLlmPrice(model: string, tokens: QuoteTokens, options: QuoteOptions = {}): LlmQuote {
  const pricer = options.overrides
    ? new LlmPricer({ overrides: options.overrides, pricesFile: '' })
    : (sharedPricer ??= new LlmPricer({ pricesFile: '' }));
  const issues: string[] = [];
  const call: LlmCall = {
    source: 'genai',
    requestModel: model,
    usage: normaliseUsage(
      {
        input: count(tokens.input),
        output: count(tokens.output),
        cacheRead: count(tokens.cacheRead),
        cacheWrite: count(tokens.cacheWrite),
      },
      true,
      issues,
    ),
    estimated: false,
    issues,
  };
  if (options.provider !== undefined) call.provider = options.provider;
  const at = options.at ?? new Date();
  const result = pricer.price(call, at);
  const quote: LlmQuote = {
    parts: result.breakdown ?? { ...ZERO_BREAKDOWN },
    status: result.status ?? COST_STATUS_UNPRICED,
    version: result.version ?? GENAI_PRICES_VERSION,
  };
  if (result.model !== undefined) quote.matchedModel = result.model;
  if (options.provider !== undefined) quote.provider = options.provider;
  if (result.totalUsd !== undefined) quote.totalUsd = result.totalUsd;
  if (result.source !== undefined) quote.source = result.source;
  describeTerms(quote, model, call.usage.inputTokens, at, options);
  return quote;
}

/** Adds the tier and the price period that applied; a date before every dated price leaves the call unpriced. */
function describeTerms(quote: LlmQuote, model: string, inputTokens: number, at: Date, options: QuoteOptions): void {
  if (quote.totalUsd === undefined || quote.matchedModel === undefined) return;
  const override = quote.source === PRICING_SOURCE_OVERRIDE ? options.overrides?.[quote.matchedModel] : undefined;
  const entry = quote.source === PRICING_SOURCE_GENAI_PRICES ? catalogueEntry(options.provider, model) : null;
  const table = override ?? (entry ? periodAt(entry, at.getTime())?.prices : undefined);
  if (entry) {
    quote.period = periodOf(entry, at.getTime());
    if (quote.period.kind === 'before-first') {
      quote.status = COST_STATUS_UNPRICED;
      quote.parts = { ...ZERO_BREAKDOWN };
      delete quote.totalUsd;
      return;
    }
  }
  const tier = table ? tierOf(table, inputTokens) : undefined;
  if (tier) quote.tier = tier;
}
