import {
  ATTR_ERROR_TYPE,
  DEFAULT_UNREAD_STREAM_TIMEOUT_MS,
  errorType,
  GEN_AI_CLIENT_METRIC_KEYS,
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

/** The private fields of the SDK's `APIPromise` that let a call be observed without replacing the promise. */
interface ApiPromiseInternals {
  responsePromise: Promise<unknown>;
  parseResponse: (...args: unknown[]) => unknown;
  asResponse?: (...args: unknown[]) => Promise<unknown>;
}

/** The SDK's `Stream`: an async iterable built on an `iterator` method, with its own AbortController. */
interface SdkStream {
  iterator: () => AsyncIterator<unknown>;
  controller?: AbortController;
}

export interface CallOptions {
  captureContent: boolean;
  unreadTimeoutMs: number | undefined;
  meter: Meter;
}

/**
 * One `messages.create` call: observes the SDK's own APIPromise and Stream in
 * place (the caller keeps the very same objects) and ends the span exactly
 * once, with the response's attributes, on whichever exit path comes first.
 * The response is read only when, and as far as, the caller reads it.
 */
export class MessagesCall {
  readonly finisher: SpanFinisher;
  private readonly metricAttributes: Attributes = {};
  private usage: TokenCounts | undefined;
  private parsing = false;
  private unparsedTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    readonly span: Span,
    /** False when the SDK traces the call itself: `span` is then non-recording, and only metrics are kept. */
    readonly ours: boolean,
    requestAttributes: Attributes,
    private readonly options: CallOptions,
  ) {
    this.remember(requestAttributes);
    this.finisher = new SpanFinisher(span, (outcome) => this.recordMetrics(outcome));
  }

  fail(error: unknown): void {
    this.clearUnparsedTimer();
    this.finisher.fail(error);
  }

  /** Hooks the APIPromise `create()` returned. Never throws; the promise stays the same object. */
  attach(result: unknown): void {
    try {
      if (!this.hook(result as ApiPromiseInternals)) this.finisher.end();
    } catch {
      this.finisher.end();
    }
  }

  private hook(promise: ApiPromiseInternals): boolean {
    if (!isObject(promise) || !(promise.responsePromise instanceof Promise)) return false;
    const parse = promise.parseResponse;
    if (typeof parse !== 'function') return false;
    // Failures (HTTP errors, timeouts, refused connections, aborts) reject the
    // response promise, which every way of reading the call goes through. The
    // same error instance is rethrown.
    promise.responsePromise = promise.responsePromise.then(
      (props) => {
        this.startUnparsedTimer();
        return props;
      },
      (error: unknown) => {
        this.fail(error);
        throw error;
      },
    );
    // The body is parsed lazily, when the caller awaits the promise.
    const call = this;
    promise.parseResponse = function observedParse(this: unknown, ...args: unknown[]) {
      call.parsing = true;
      call.clearUnparsedTimer();
      let parsed: unknown;
      try {
        parsed = parse.apply(this, args);
      } catch (error) {
        call.fail(error);
        throw error;
      }
      Promise.resolve(parsed).then(
        (data) => call.onData(data),
        (error: unknown) => call.fail(error),
      );
      return parsed;
    };
    // `asResponse()` hands the raw body to the caller, who may never parse it:
    // the span ends with the response, unless a parse started too (`withResponse()`).
    const asResponse = promise.asResponse;
    if (typeof asResponse === 'function') {
      promise.asResponse = function observedAsResponse(this: unknown, ...args: unknown[]) {
        const response = asResponse.apply(this, args);
        Promise.resolve(response).then(
          () => {
            if (!call.parsing) call.end({});
          },
          () => undefined, // recorded through the response promise
        );
        return response;
      };
    }
    return true;
  }

  private onData(data: unknown): void {
    if (this.finisher.ended) return;
    if (isObject(data) && typeof data.iterator === 'function') {
      this.observeStream(data as SdkStream);
      return;
    }
    const message = isObject(data) ? (data as MessageFields & { content?: unknown }) : {};
    this.end({
      ...responseAttributes(message),
      ...(this.options.captureContent ? outputContentAttributes(message.content, message.stop_reason) : {}),
    });
  }

  private observeStream(stream: SdkStream): void {
    const accumulator = new MessageAccumulator(this.options.captureContent);
    const attributesSoFar = (): Attributes => {
      const message = accumulator.snapshot();
      return {
        ...responseAttributes(message),
        ...(this.options.captureContent ? outputContentAttributes(accumulator.blocks(), message.stop_reason) : {}),
      };
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
      { unreadTimeoutMs: this.options.unreadTimeoutMs },
    );
  }

  private end(attributes: Attributes, error?: unknown): void {
    this.clearUnparsedTimer();
    this.remember(attributes);
    if (error === undefined) this.finisher.end(attributes);
    else this.finisher.fail(error, attributes);
  }

  /** Bounds a response nobody parses: the span ends, the body stays unread. */
  private startUnparsedTimer(): void {
    const ms = this.options.unreadTimeoutMs ?? DEFAULT_UNREAD_STREAM_TIMEOUT_MS;
    if (this.parsing || this.finisher.ended || !(ms > 0) || !Number.isFinite(ms)) return;
    this.unparsedTimer = setTimeout(() => {
      if (!this.parsing) this.end({});
    }, ms);
    this.unparsedTimer.unref?.();
  }

  private clearUnparsedTimer(): void {
    if (this.unparsedTimer !== undefined) clearTimeout(this.unparsedTimer);
    this.unparsedTimer = undefined;
  }

  /** Keeps what the metrics need: the span may be non-recording (native tracing in charge). */
  private remember(attributes: Attributes): void {
    for (const key of GEN_AI_CLIENT_METRIC_KEYS) {
      if (attributes[key] !== undefined) this.metricAttributes[key] = attributes[key];
    }
    this.usage = tokenCountsOf(attributes) ?? this.usage;
  }

  private recordMetrics(outcome: SpanOutcome): void {
    this.clearUnparsedTimer();
    const attributes =
      outcome.error === undefined
        ? this.metricAttributes
        : { ...this.metricAttributes, [ATTR_ERROR_TYPE]: errorType(outcome.error) };
    recordGenAiClientMetrics(this.options.meter, attributes, this.usage, outcome.durationSeconds);
  }
}
