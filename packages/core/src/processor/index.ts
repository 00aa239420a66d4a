export {
  type CostSpanProcessorOptions,
  DEFAULT_MAX_OPEN_TRACES,
  DEFAULT_MAX_TRACE_AGE_MS,
} from './cost-engine';
export { CostSpanProcessor } from './cost-span-processor';
export { CostingSpanProcessor, wrapWithCost } from './costing-span-processor';
export { isLocalRoot, type ReadableSpanLike, type SpanProcessorLike, type WritableSpanLike } from './span-shape';
