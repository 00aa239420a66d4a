import { ComputePricer } from '../pricing/compute';
import { LlmPricer } from '../pricing/llm-pricer';
import { readPricesFile } from '../pricing/overrides';

interface Pricers {
  llm: LlmPricer;
  compute: ComputePricer;
}

let shared: Pricers | undefined;

/**
 * The CostSpanProcessor hands its pricers to the budgets, so a budget's
 * figures are the very figures the processor writes (same overrides, same
 * rates). The latest processor built wins.
 */
export function shareBudgetPricers(llm: LlmPricer, compute: ComputePricer): void {
  shared = { llm, compute };
}

/** The pricers budgets use: the processor's, else defaults built once (same data, same price file). */
export function budgetPricers(): Pricers {
  if (!shared) {
    const pricesFile = readPricesFile();
    shared = { llm: new LlmPricer({ pricesFile }), compute: new ComputePricer({}, pricesFile) };
  }
  return shared;
}
