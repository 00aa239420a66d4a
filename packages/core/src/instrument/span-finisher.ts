import type { Attributes, Span } from '@opentelemetry/api';
import { recordSpanError } from './errors';

export interface SpanOutcome {
  /** The error the call failed with, if it failed. */
  error?: unknown;
  /** Wall time from the finisher's creation to the end, in seconds. */
  durationSeconds: number;
}

/**
 * Ends a span exactly once, whichever exit path gets there first: success,
 * error, abort, early break, or an unread stream's bound. Every later call is
 * a no-op, so exit paths can race without double ends or lost spans.
 */
export class SpanFinisher {
  private done = false;
  private readonly startedAt = performance.now();
  private endListeners: Array<() => void> | undefined;

  constructor(
    readonly span: Span,
    private readonly onEnd?: (outcome: SpanOutcome) => void,
  ) {}

  get ended(): boolean {
    return this.done;
  }

  /** Calls `listener` once the span has ended, whichever path ended it (at once if it has). */
  onEnded(listener: () => void): void {
    if (this.done) {
      callSafely(listener);
      return;
    }
    (this.endListeners ??= []).push(listener);
  }

  setAttributes(attributes: Attributes): void {
    if (this.done) return;
    try {
      this.span.setAttributes(attributes);
    } catch {
      // never throw into user code
    }
  }

  /** Ends the span successfully. */
  end(attributes?: Attributes): void {
    if (this.done) return;
    if (attributes) this.setAttributes(attributes);
    this.finish(undefined);
  }

  /** Ends the span as failed with `error`. */
  fail(error: unknown, attributes?: Attributes): void {
    if (this.done) return;
    if (attributes) this.setAttributes(attributes);
    recordSpanError(this.span, error);
    this.finish(error);
  }

  private finish(error: unknown): void {
    this.done = true;
    const durationSeconds = (performance.now() - this.startedAt) / 1000;
    try {
      this.span.end();
    } catch {
      // a broken span must not break the call
    }
    if (this.onEnd) {
      try {
        this.onEnd(error === undefined ? { durationSeconds } : { error, durationSeconds });
      } catch {
        // metrics are best effort
      }
    }
    const listeners = this.endListeners;
    this.endListeners = undefined;
    if (listeners !== undefined) for (const listener of listeners) callSafely(listener);
  }
}

function callSafely(fn: () => void): void {
  try {
    fn();
  } catch {
    // a listener must not break the call
  }
}
