import { type ApiPromiseObserver, observeApiPromise, observeStreamIterator, type SpanFinisher } from '@agentburn/core';
import type { Attributes } from '@opentelemetry/api';
import type { Operation, Payload } from './operation';

export interface CallSettings {
  captureContent: boolean;
  /** The request asked for a stream. */
  streaming: boolean;
  /** The usage-only chunk was injected by us and is hidden from the caller. */
  hideUsageChunk: boolean;
  unreadTimeoutMs: number;
  stallTimeoutMs: number | undefined;
}

/**
 * One instrumented API call: watches what `create()` returned and ends the
 * span exactly once. The returned object is never replaced: an `APIPromise`
 * keeps its identity and helpers (`withResponse()`, `asResponse()`,
 * `_thenUnwrap`), errors reach the caller untouched, and a `Stream` keeps its
 * class, with only its `iterator` observed in place.
 */
export class Call {
  /** The span's attributes learnt from the result, for the metrics. */
  resultAttributes: Attributes | undefined;

  constructor(
    readonly finisher: SpanFinisher,
    private readonly operation: Operation,
    private readonly settings: CallSettings,
  ) {}

  /**
   * Attaches to whatever the SDK method returned. `recover` may answer a
   * failed request with a replacement (see `ApiPromiseObserver.recover`). Never throws.
   */
  observe(returned: unknown, recover?: (error: unknown) => PromiseLike<unknown> | undefined): void {
    try {
      const onParsed = (value: unknown) => this.onResult(value);
      const observer: ApiPromiseObserver = { onParsed, unreadTimeoutMs: this.settings.unreadTimeoutMs };
      if (recover !== undefined) observer.recover = recover;
      if (observeApiPromise(returned, this.finisher, observer)) return;
      if (isThenable(returned)) {
        // Not an SDK promise (a wrapper from elsewhere): waiting on it has no side effect.
        returned.then(onParsed, (error) => this.finisher.fail(error));
      } else {
        this.onResult(returned);
      }
    } catch {
      this.finisher.end();
    }
  }

  /** A parsed result: a finished object, or a stream still to be read. */
  private onResult(value: unknown): void {
    if (this.finisher.ended) return;
    const { operation, settings } = this;
    try {
      if (settings.streaming && isStream(value) && operation.streamAccumulator) {
        const accumulator = operation.streamAccumulator(settings.captureContent, settings.hideUsageChunk);
        const finish = (finisher: SpanFinisher) => this.end(finisher, accumulator.attributes());
        observeStreamIterator(
          value,
          this.finisher,
          {
            onChunk: (chunk) => accumulator.add(chunk),
            onComplete: (finisher) => {
              // The SDK ends a stream aborted through its signal or `controller` quietly, as if complete.
              const failure =
                value.controller?.signal?.aborted === true ? ABORTED : (accumulator.failure?.() ?? undefined);
              if (failure) this.end(finisher, accumulator.attributes(), failure);
              else finish(finisher);
            },
            onIncomplete: finish,
          },
          { unreadTimeoutMs: settings.unreadTimeoutMs, stallTimeoutMs: settings.stallTimeoutMs },
        );
        return;
      }
      this.end(this.finisher, operation.resultAttributes(value, settings.captureContent));
    } catch {
      this.finisher.end();
    }
  }

  private end(finisher: SpanFinisher, attributes: Attributes, error?: unknown): void {
    this.resultAttributes = attributes;
    if (error === undefined) finisher.end(attributes);
    else finisher.fail(error, attributes);
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    !!value &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as Payload).then === 'function'
  );
}

/** What an aborted stream records: a plain object, so `error.type` is the SDK's own name for an abort. */
const ABORTED = { name: 'APIUserAbortError' };

function isStream(
  value: unknown,
): value is { iterator: () => AsyncIterator<unknown>; controller?: { signal?: { aborted?: boolean } } } {
  return !!value && typeof value === 'object' && typeof (value as Payload).iterator === 'function';
}
