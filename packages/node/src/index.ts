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
export {
  DEFAULT_MAX_FILE_BYTES,
  DEFAULT_MAX_ROTATED_FILES,
  DEFAULT_TRACES_FILE,
  OTLPFileTraceExporter,
  type OTLPFileTraceExporterOptions,
  rotatedPath,
} from './traces-file';
