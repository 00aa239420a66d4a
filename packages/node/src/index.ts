export type { SummaryMode } from './env';
export { type AgentburnHandle, type CostProcessorOptions, type RegisterOptions, register } from './register';
export {
  CostSummaryProcessor,
  type CostSummaryProcessorOptions,
  formatCostSummary,
  isLocalRoot,
  readTraceSummary,
  type TraceCostSummary,
  usd,
} from './summary';
