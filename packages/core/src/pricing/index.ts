export { GENAI_PRICES_VERSION } from './catalogue';
export {
  ComputePricer,
  DAYTONA_DEFAULT_RATES,
  DEFAULT_COMPUTE_RATES,
  E2B_DEFAULT_RATES,
  E2B_TEMPLATE_SIZES,
  readComputeInterval,
  VERCEL_DEFAULT_RATES,
} from './compute';
export { COMPUTE_RATE_KEYS } from './compute-rate-keys';
export { DEFAULT_SERVICE_TIER_MULTIPLIERS, LlmPricer, type LlmPricerOptions } from './llm-pricer';
export {
  COMPUTE_RATES_KEY,
  loadComputeRates,
  loadPriceOverrides,
  PriceFileError,
  type PriceOverride,
  type PriceOverrides,
  type PriceOverridesReading,
  type PricesFile,
  readPriceOverrides,
  readPricesFile,
  validateComputeRates,
  validatePriceOverrides,
} from './overrides';
export { type LlmQuote, type QuoteOptions, type QuoteTokens, quoteLlmPrice } from './quote';
export { isKnownPriceProvider, type PricePeriod, type PriceTier } from './quote-terms';
export type { PriceTable, Rate } from './rates';
