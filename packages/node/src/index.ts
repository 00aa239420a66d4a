// The local-root test the summary uses, for callers that read the rollup themselves.
export { isLocalRoot } from '@agentburn/core';
export type { SummaryMode } from './env';
export { type AgentburnHandle, type CostProcessorOptions, type RegisterOptions, register } from './register';
export {
  CostSummaryProcessor,
  type CostSummaryProcessorOptions,
  formatCostSummary,
  readTraceSummary,
  type TraceCostSummary,
  usd,
} from './summary';
