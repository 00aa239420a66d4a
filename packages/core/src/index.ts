export { type WithAgentOptions, withAgent } from './agent';
export * from './budget';
export * from './instrument';
export {
  CORE_SCOPE_NAME,
  type CostKind,
  CostMetrics,
  GEN_AI_CLIENT_METRIC_KEYS,
  type GenAiClientInstruments,
  genAiClientInstruments,
  recordGenAiClientMetrics,
  type TokenCounts,
  tokenCountsOf,
} from './metrics';
export {
  addOpenInterval,
  closeAllOpenIntervals,
  type OpenIntervalCloser,
  type OpenIntervalKind,
  openIntervalCount,
  removeOpenInterval,
} from './open-intervals';
export * from './pricing';
export * from './processor';
export * from './semconv';
export type * from './types';
export * from './usage';
