export { type ApiPromiseObserver, observeApiPromise } from './api-promise';
export { shouldCaptureContent } from './content';
export { errorType, recordSpanError } from './errors';
export { type EndListener, SpanFinisher, type SpanOutcome } from './span-finisher';
export {
  DEFAULT_STALLED_STREAM_TIMEOUT_MS,
  DEFAULT_UNREAD_STREAM_TIMEOUT_MS,
  type IncompleteReason,
  type ObserveStreamOptions,
  observeStreamIterator,
  type StreamObserver,
} from './stream';
export { declineUnsupportedVersions } from './versions';
