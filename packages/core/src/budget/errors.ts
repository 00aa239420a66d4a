import { BUDGET_EXCEEDED_CODE } from '../semconv';

export interface BudgetExceededDetails {
  /** Name of the scope whose limit refused the spend (the tightest one). */
  budgetName: string;
  limitUsd: number;
  /** Spent in that scope so far (settled calls plus sandbox compute accrued). */
  spentUsd: number;
  /** Held for calls still in flight. */
  reservedUsd: number;
  /** The refused operation's own worst case; 0 for a sandbox operation refused because the budget is spent. */
  projectedUsd: number;
  /** What was refused: the span name of the call, e.g. `chat gpt-4o-mini` or `e2b.run_code`. */
  refused: string;
}

/**
 * Thrown (or rejected) instead of a call a budget refuses. The request never
 * left the process. Catch it by `code`, which survives bundling and copies of
 * this package: `error.code === 'AGENTBURN_BUDGET_EXCEEDED'`.
 */
export class BudgetExceededError extends Error implements BudgetExceededDetails {
  readonly code = BUDGET_EXCEEDED_CODE;
  readonly budgetName: string;
  readonly limitUsd: number;
  readonly spentUsd: number;
  readonly reservedUsd: number;
  readonly projectedUsd: number;
  readonly refused: string;

  constructor(details: BudgetExceededDetails) {
    const left = Math.max(0, details.limitUsd - details.spentUsd - details.reservedUsd);
    super(
      `budget "${details.budgetName}" refused ${details.refused}: ` +
        (details.projectedUsd > 0 ? `it could cost up to ${usd(details.projectedUsd)}, ` : 'the budget is spent, ') +
        `${usd(left)} left of ${usd(details.limitUsd)} (spent ${usd(details.spentUsd)}, in flight ${usd(details.reservedUsd)})`,
    );
    this.name = 'BudgetExceededError';
    this.budgetName = details.budgetName;
    this.limitUsd = details.limitUsd;
    this.spentUsd = details.spentUsd;
    this.reservedUsd = details.reservedUsd;
    this.projectedUsd = details.projectedUsd;
    this.refused = details.refused;
  }
}

/** Dollars with enough digits for sub-cent LLM calls. */
export function usd(value: number): string {
  return `$${value.toFixed(value !== 0 && Math.abs(value) < 0.01 ? 6 : 4)}`;
}
