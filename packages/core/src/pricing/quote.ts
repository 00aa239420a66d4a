import { COST_STATUS_UNPRICED, type CostStatus } from '../semconv';
import type { CostBreakdown, LlmCall } from '../types';
import { normaliseUsage } from '../usage/read';
import { GENAI_PRICES_VERSION } from './catalogue';
import { LlmPricer } from './llm-pricer';
import type { PriceOverrides } from './overrides';
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
  const result = pricer.price(call, options.at ?? new Date());
  const quote: LlmQuote = {
    parts: result.breakdown ?? { ...ZERO_BREAKDOWN },
    status: result.status ?? COST_STATUS_UNPRICED,
    version: result.version ?? GENAI_PRICES_VERSION,
  };
  if (result.model !== undefined) quote.matchedModel = result.model;
  if (options.provider !== undefined) quote.provider = options.provider;
  if (result.totalUsd !== undefined) quote.totalUsd = result.totalUsd;
  return quote;
}
