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
/** Called once as the span ends, with every attribute given through the finisher and the error, if any. */
export type EndListener = (attributes: Attributes, error: unknown) => void;

export class SpanFinisher {
  private done = false;
  private readonly startedAt = performance.now();
  private endListener: EndListener | undefined;
  /** What was set through the finisher, kept only while a listener wants it (the span may be non-recording). */
  private seen: Attributes | undefined;

  constructor(
    readonly span: Span,
    private readonly onEnd?: (outcome: SpanOutcome) => void,
  ) {}

  get ended(): boolean {
    return this.done;
  }

  /** Calls `listener` once the span has ended (a budget settles its reservation there). One listener. */
  whenEnded(listener: EndListener): void {
    this.endListener = listener;
    this.seen ??= {};
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
    if (this.endListener) {
      try {
        this.endListener(this.seen ?? {}, error);
      } catch {
        // a listener never breaks the call
      }
    }
  }
}
