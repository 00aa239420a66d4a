export { type WithAgentOptions, withAgent } from './agent';
export * from './instrument';
export {
  CORE_SCOPE_NAME,
  type CostKind,
  CostMetrics,
  type GenAiClientInstruments,
  genAiClientInstruments,
  recordGenAiClientMetrics,
  type TokenCounts,
} from './metrics';
export {
  addOpenInterval,
  closeAllOpenIntervals,
  type OpenIntervalCloser,
  openIntervalCount,
  removeOpenInterval,
} from './open-intervals';
export * from './pricing';
export * from './processor';
export * from './semconv';
export type * from './types';
export * from './usage';
