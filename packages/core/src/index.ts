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
