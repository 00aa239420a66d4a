export * from './instrument';
export {
  addOpenInterval,
  closeAllOpenIntervals,
  type OpenIntervalCloser,
  openIntervalCount,
  removeOpenInterval,
} from './open-intervals';
export * from './semconv';
export type * from './types';
export { type WithAgentOptions, withAgent } from './agent';
export {
  CORE_SCOPE_NAME,
  CostMetrics,
  type CostKind,
  type GenAiClientInstruments,
  genAiClientInstruments,
  recordGenAiClientMetrics,
  type TokenCounts,
} from './metrics';
export * from './processor';
export * from './pricing';
export * from './usage';
