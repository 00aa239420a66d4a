export { GENAI_PRICES_VERSION } from './catalogue';
export {
  ComputePricer,
  E2B_DEFAULT_RATES,
  E2B_TEMPLATE_SIZES,
  readComputeInterval,
} from './compute';
export { DEFAULT_SERVICE_TIER_MULTIPLIERS, LlmPricer, type LlmPricerOptions } from './llm-pricer';
export {
  loadPriceOverrides,
  PriceFileError,
  type PriceOverride,
  type PriceOverrides,
  type PriceOverridesReading,
  readPriceOverrides,
  validatePriceOverrides,
} from './overrides';
export { type LlmQuote, type QuoteOptions, type QuoteTokens, quoteLlmPrice } from './quote';
export { isKnownPriceProvider, type PricePeriod, type PriceTier } from './quote-terms';
export type { PriceTable, Rate } from './rates';
