import { type Span, SpanStatusCode } from '@opentelemetry/api';
import { ATTR_ERROR_TYPE } from '../semconv';

/**
 * A low-cardinality name for an error: the class name for SDK errors
 * (`RateLimitError`, `APIConnectionTimeoutError`), `_OTHER` otherwise.
 */
export function errorType(error: unknown): string {
  if (error && typeof error === 'object') {
    const name = (error as { constructor?: { name?: unknown } }).constructor?.name;
    const plain = (error as { name?: unknown }).name;
    // A base `Error` named by its thrower (`AbortError`, `TimeoutError` from fetch and the AWS SDK) goes by that name.
    if (name === 'Error' && typeof plain === 'string' && plain !== '') return plain;
    if (typeof name === 'string' && name !== '' && name !== 'Object') return name;
    if (typeof plain === 'string' && plain !== '') return plain;
  }
  return '_OTHER';
}

/** Marks a span failed. The message is kept; request bodies and headers never are. */
export function recordSpanError(span: Span, error: unknown): void {
  try {
    span.setAttribute(ATTR_ERROR_TYPE, errorType(error));
    const message = error instanceof Error ? error.message : typeof error === 'string' ? error : undefined;
    span.setStatus(message === undefined ? { code: SpanStatusCode.ERROR } : { code: SpanStatusCode.ERROR, message });
    if (error instanceof Error) span.recordException(error);
  } catch {
    // Recording must never throw into the host application.
  }
}
