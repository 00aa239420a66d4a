import {
  type ApiPromiseObserver,
  ATTR_ERROR_TYPE,
  errorType,
  GEN_AI_CLIENT_METRIC_KEYS,
  observeApiPromise,
  observeStreamIterator,
  recordGenAiClientMetrics,
  SpanFinisher,
  type SpanOutcome,
  type TokenCounts,
  tokenCountsOf,
} from '@agentburn/core';
import type { Attributes, Meter, Span } from '@opentelemetry/api';
import { outputContentAttributes } from './content';
import { isObject, type MessageFields, responseAttributes } from './messages';
import { MessageAccumulator } from './stream';

/** The SDK's `Stream`: an async iterable built on an `iterator` method, with its own AbortController. */
interface SdkStream {
  iterator: () => AsyncIterator<unknown>;
  controller?: AbortController;
}

export interface CallOptions {
  captureContent: boolean;
  unreadTimeoutMs: number | undefined;
  stallTimeoutMs: number | undefined;
  meter: Meter;
}

/**
 * One `messages.create` call: observes the SDK's own APIPromise and Stream in
 * place (the caller keeps the very same objects) and ends the span exactly
 * once, with the response's attributes, on whichever exit path comes first.
 * The response is read only when, and as far as, the caller reads it.
 */
export class MessagesCall implements ApiPromiseObserver {
  readonly finisher: SpanFinisher;
  private readonly metricAttributes: Attributes = {};
  private usage: TokenCounts | undefined;

  constructor(
    readonly span: Span,
    /** False when the SDK traces the call itself: `span` is then non-recording, and only metrics are kept. */
    readonly ours: boolean,
    /** The span's request attributes, kept for the budget check (the span may be non-recording). */
    readonly requestAttributes: Attributes,
    private readonly options: CallOptions,
  ) {
    this.remember(requestAttributes);
    this.finisher = new SpanFinisher(span, (outcome) => this.recordMetrics(outcome));
  }

  fail(error: unknown): void {
    this.finisher.fail(error);
  }

  /**
   * Hooks the APIPromise `create()` returned, observing it as the
   * `ApiPromiseObserver` itself. Never throws; the promise stays the same object.
   */
  attach(result: unknown): void {
    try {
      if (!observeApiPromise(result, this.finisher, this)) this.finisher.end();
    } catch {
      this.finisher.end();
    }
  }

  get unreadTimeoutMs(): number | undefined {
    return this.options.unreadTimeoutMs;
  }

  /** The SDK parsed the body: a message, or a stream still to be read. */
  onParsed(data: unknown): void {
    if (isObject(data) && typeof data.iterator === 'function') {
      this.observeStream(data as SdkStream);
      return;
    }
    const message = isObject(data) ? (data as MessageFields & { content?: unknown }) : {};
    const attributes = responseAttributes(message);
    if (this.options.captureContent) {
      Object.assign(attributes, outputContentAttributes(message.content, message.stop_reason));
    }
    this.end(attributes);
  }

  private observeStream(stream: SdkStream): void {
    const accumulator = new MessageAccumulator(this.options.captureContent);
    const attributesSoFar = (): Attributes => {
      const message = accumulator.snapshot();
      const attributes = responseAttributes(message);
      if (this.options.captureContent) {
        Object.assign(attributes, outputContentAttributes(accumulator.blocks(), message.stop_reason));
      }
      return attributes;
    };
    observeStreamIterator(
      stream,
      this.finisher,
      {
        onChunk: (event) => {
          accumulator.add(event);
        },
        onComplete: () => {
          // The SDK's stream ends quietly when its controller is aborted.
          if (!accumulator.sawStop && stream.controller?.signal.aborted) {
            // A plain object, so `error.type` is the SDK's own name for an abort.
            this.end(attributesSoFar(), { name: 'APIUserAbortError' });
            return;
          }
          this.end(attributesSoFar());
        },
        onIncomplete: () => this.end(attributesSoFar()),
      },
      { unreadTimeoutMs: this.options.unreadTimeoutMs, stallTimeoutMs: this.options.stallTimeoutMs },
    );
  }

  private end(attributes: Attributes, error?: unknown): void {
    this.remember(attributes);
    if (error === undefined) this.finisher.end(attributes);
    else this.finisher.fail(error, attributes);
  }

  /** Keeps what the metrics need: the span may be non-recording (native tracing in charge). */
  private remember(attributes: Attributes): void {
    for (const key of GEN_AI_CLIENT_METRIC_KEYS) {
      if (attributes[key] !== undefined) this.metricAttributes[key] = attributes[key];
    }
    this.usage = tokenCountsOf(attributes) ?? this.usage;
  }

  private recordMetrics(outcome: SpanOutcome): void {
    const attributes =
      outcome.error === undefined
        ? this.metricAttributes
        : { ...this.metricAttributes, [ATTR_ERROR_TYPE]: errorType(outcome.error) };
    recordGenAiClientMetrics(this.options.meter, attributes, this.usage, outcome.durationSeconds);
  }
}
