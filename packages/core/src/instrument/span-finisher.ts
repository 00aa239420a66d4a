import type { Attributes, Span } from '@opentelemetry/api';
import { recordSpanError } from './errors';

export interface SpanOutcome {
  /** The error the call failed with, if it failed. */
  error?: unknown;
  /** Wall time from the finisher's creation to the end, in seconds. */
  durationSeconds: number;
}

/** Called once as the span ends, with every attribute given through the finisher and the error, if any. */
export type EndListener = (attributes: Attributes, error: unknown) => void;

/**
 * Ends a span exactly once, whichever exit path gets there first: success,
 * error, abort, early break, or an unread stream's bound. Every later call is
 * a no-op, so exit paths can race without double ends or lost spans.
 */
export class SpanFinisher {
  private done = false;
  private started = false;
  private failure: unknown;
  /** For the duration metric only: without one, the clock is not read. */
  private readonly startedAt: number;
  private endListeners: EndListener[] | undefined;
  private beforeEndListeners: EndListener[] | undefined;
  /** What was set through the finisher, kept only once a listener wants it (the span may be non-recording). */
  private seen: Attributes | undefined;

  constructor(
    readonly span: Span,
    private readonly onEnd?: (outcome: SpanOutcome) => void,
  ) {
    this.startedAt = onEnd === undefined ? 0 : performance.now();
  }

  get ended(): boolean {
    return this.done;
  }

  /** The response began to arrive (a stream's first chunk): the request was taken, and is billed should it fail now. */
  get responseStarted(): boolean {
    return this.started;
  }

  markResponseStarted(): void {
    this.started = true;
  }

  /** Calls `listener` once the span has ended, whichever path ended it (at once if it has). */
  onEnded(listener: () => void): void {
    this.addEndListener(listener);
  }

  /**
   * Calls `listener` once the span has ended with the attributes set through
   * the finisher from now on and the error, if any (a budget settles its
   * reservation there).
   */
  whenEnded(listener: EndListener): void {
    this.seen ??= {};
    this.addEndListener(listener);
  }

  /**
   * Like {@link whenEnded}, but called just before the span ends, while
   * events can still be added to it (a budget without a span of its own
   * records its events on the call's span).
   */
  beforeEnd(listener: EndListener): void {
    this.seen ??= {};
    if (this.done) {
      this.notify(listener);
      return;
    }
    (this.beforeEndListeners ??= []).push(listener);
  }

  setAttributes(attributes: Attributes): void {
    if (this.done) return;
    if (this.seen !== undefined) Object.assign(this.seen, attributes);
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

  private addEndListener(listener: EndListener): void {
    if (this.done) {
      this.notify(listener);
      return;
    }
    (this.endListeners ??= []).push(listener);
  }

  private notify(listener: EndListener): void {
    try {
      listener(this.seen ?? {}, this.failure);
    } catch {
      // a listener never breaks the call
    }
  }

  private finish(error: unknown): void {
    this.done = true;
    this.failure = error;
    const before = this.beforeEndListeners;
    this.beforeEndListeners = undefined;
    if (before !== undefined) for (const listener of before) this.notify(listener);
    const durationSeconds = this.onEnd === undefined ? 0 : (performance.now() - this.startedAt) / 1000;
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
    if (listeners !== undefined) for (const listener of listeners) this.notify(listener);
  }
}
