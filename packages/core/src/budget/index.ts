export { type BudgetExceededDetails, BudgetExceededError } from './errors';
export { admitLlmCall, type LlmBudgetAdmission, type LlmBudgetRequest, MIN_CLAMPED_OUTPUT_TOKENS } from './llm-guard';
export { shareBudgetPricers } from './pricers';
export {
  ANTHROPIC_TOOL_PROMPT_TOKENS,
  chatBodyAdapter,
  type LlmRequestAdapter,
  type OutputCap,
  sizeBound,
  TOKENS_PER_IMAGE,
} from './projection';
export {
  admitSandboxOperation,
  type BudgetClock,
  type MeteredSandbox,
  meterSandbox,
  type SandboxBudgetMeter,
} from './sandbox-guard';
export {
  type BudgetExceedAction,
  type BudgetOptions,
  type BudgetSandboxAction,
  type BudgetSnapshot,
  DEFAULT_MAX_OUTPUT_TOKENS,
  type UnpricedModelPolicy,
} from './scope';
export { currentBudget, setTraceBudget, type WithBudgetOptions, withBudget } from './with-budget';
