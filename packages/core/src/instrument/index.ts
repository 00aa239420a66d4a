export { type ApiPromiseObserver, isThenable, observeApiPromise } from './api-promise';
export { observeAsyncIterable } from './async-iterable';
export { recordCallMetrics } from './call-metrics';
export { type Clock, scheduleAt, systemClock } from './clock';
export {
  billedSecondsBetween,
  COMPUTE_INTERVAL_NAMES,
  type ComputeIntervalEnd,
  type ComputeIntervalNames,
  type ComputeIntervalObserver,
  type ComputeIntervalStart,
  ComputeIntervals,
  type ComputeIntervalsOptions,
  type ComputeSize,
} from './compute-intervals';
export { captureContentFor, shouldCaptureContent } from './content';
export { shallowCopy } from './copy';
export { errorType, recordSpanError } from './errors';
export { ManualTargets, type ManualTargetsOptions } from './manual-targets';
export { type SandboxCall, type SandboxCallHooks, traceSandboxCall } from './sandbox-call';
export {
  commandLineAttributes,
  exitCodeAttributes,
  SandboxOpenings,
  type SandboxProviderOptions,
  SandboxProviderTracing,
  sandboxIdAttributes,
} from './sandbox-provider';
export { serverAttributes } from './server';
export { type EndListener, SpanFinisher, type SpanOutcome } from './span-finisher';
export {
  DEFAULT_STALLED_STREAM_TIMEOUT_MS,
  DEFAULT_UNREAD_STREAM_TIMEOUT_MS,
  type IncompleteReason,
  type ObserveStreamOptions,
  observeStreamIterator,
  type StreamObserver,
} from './stream';
export {
  type UsageSample,
  UsageSampler,
  type UsageSamplerOptions,
  usageSampleSeconds,
} from './usage-sampler';
export {
  declineUnsupportedVersions,
  type ModuleDefinitionClass,
  type SdkVersions,
  sdkModuleDefinitions,
} from './versions';
