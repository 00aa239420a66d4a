export type { CliIo } from './io';
export { main, USAGE } from './main';
export {
  type AgentSpend,
  type ComputeSpend,
  type ModelSpend,
  NO_AGENT,
  type Spend,
  SpendAggregator,
  type SpendReport,
  spanCostKind,
  type TraceSpend,
  UNKNOWN_MODEL,
} from './report/aggregate';
export { formatReport, formatRightSizing, formatUsd, reportToJson, rightSizingSentence } from './report/format';
export { createProgress } from './report/progress';
export {
  type AttrValue,
  decodeAnyValue,
  type OtlpLine,
  type OtlpSpan,
  type ParsedLine,
  parseOtlpLine,
  readOtlpLines,
} from './report/read-otlp-lines';
export {
  PROVIDER_SIZES,
  type ProviderSizes,
  RightSizingCollector,
  type RightSizingGroup,
  type RightSizingReport,
  type RightSizingVerdict,
  rightSizing,
  type SandboxSize,
} from './report/right-sizing';
