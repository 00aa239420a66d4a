import {
  type ApiPromiseObserver,
  DEFAULT_UNREAD_STREAM_TIMEOUT_MS,
  isThenable,
  observeApiPromise,
  observeStreamIterator,
  type SpanFinisher,
} from '@agentburn/core';
import type { Attributes } from '@opentelemetry/api';
import type { Operation, Payload } from './operation';
import type { OpenAIInstrumentationConfig } from './types';

/**
 * One instrumented API call: watches what `create()` returned and ends the
 * span exactly once. The returned object is never replaced: an `APIPromise`
 * keeps its identity and helpers (`withResponse()`, `asResponse()`,
 * `_thenUnwrap`), errors reach the caller untouched, and a `Stream` keeps its
 * class, with only its `iterator` observed in place.
 */
export class Call implements ApiPromiseObserver {
  /** The span's attributes learnt from the result, for the metrics. */
  resultAttributes: Attributes | undefined;
  recover: ((error: unknown) => PromiseLike<unknown> | undefined) | undefined = undefined;

  /**
   * `config` is the instrumentation's configuration as the call started;
   * `streaming`: the request asked for a stream; `hideUsageChunk`: the
   * usage-only chunk was injected by us and is hidden from the caller.
   */
  constructor(
    readonly finisher: SpanFinisher,
    private readonly operation: Operation,
    private readonly config: OpenAIInstrumentationConfig,
    private readonly captureContent: boolean,
    private readonly streaming: boolean,
    readonly hideUsageChunk: boolean,
  ) {}

  get unreadTimeoutMs(): number {
    return this.config.unreadStreamTimeoutMs ?? DEFAULT_UNREAD_STREAM_TIMEOUT_MS;
  }

  /**
   * Attaches to whatever the SDK method returned, observing it as the
   * `ApiPromiseObserver` itself. `recover` may answer a failed request with
   * a replacement (see `ApiPromiseObserver.recover`). Never throws.
   */
  observe(returned: unknown, recover?: (error: unknown) => PromiseLike<unknown> | undefined): void {
    try {
      this.recover = recover;
      if (observeApiPromise(returned, this.finisher, this)) return;
      if (isThenable(returned)) {
        // Not an SDK promise (a wrapper from elsewhere): waiting on it has no side effect.
        returned.then(
          (value) => this.onResult(value),
          (error) => this.finisher.fail(error),
        );
      } else {
        this.onResult(returned);
      }
    } catch {
      this.finisher.end();
    }
  }

  /** The SDK parsed the body (see `ApiPromiseObserver.onParsed`). */
  onParsed(value: unknown): void {
    this.onResult(value);
  }

  /** A parsed result: a finished object, or a stream still to be read. */
  private onResult(value: unknown): void {
    if (this.finisher.ended) return;
    const operation = this.operation;
    try {
      if (this.streaming && isStream(value) && operation.streamAccumulator) {
        const accumulator = operation.streamAccumulator(this.captureContent, this.hideUsageChunk);
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
          { unreadTimeoutMs: this.unreadTimeoutMs, stallTimeoutMs: this.config.stalledStreamTimeoutMs },
        );
        return;
      }
      this.end(this.finisher, operation.resultAttributes(value, this.captureContent));
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

/** What an aborted stream records: a plain object, so `error.type` is the SDK's own name for an abort. */
const ABORTED = { name: 'APIUserAbortError' };

function isStream(
  value: unknown,
): value is { iterator: () => AsyncIterator<unknown>; controller?: { signal?: { aborted?: boolean } } } {
  return !!value && typeof value === 'object' && typeof (value as Payload).iterator === 'function';
}
