import { observeStreamIterator, type SpanFinisher } from '@agentburn/core';
import type { Attributes } from '@opentelemetry/api';
import type { Operation, Payload } from './operation';

export interface CallSettings {
  captureContent: boolean;
  /** The request asked for a stream. */
  streaming: boolean;
  /** The usage-only chunk was injected by us and is hidden from the caller. */
  hideUsageChunk: boolean;
  unreadTimeoutMs: number;
}

/** The parts of a Stainless `APIPromise` this file relies on (openai 4.x to 7.x). */
interface ApiPromiseLike {
  responsePromise: PromiseLike<unknown>;
  parseResponse: (...args: unknown[]) => unknown;
  parse?: (...args: unknown[]) => unknown;
  asResponse?: (...args: unknown[]) => unknown;
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

  /** Attaches to whatever the SDK method returned. Never throws. */
  observe(returned: unknown): void {
    try {
      if (isApiPromise(returned)) {
        this.observeApiPromise(returned);
      } else if (isThenable(returned)) {
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

  /**
   * Hooks the promise's own `parseResponse` (the one step every consumer
   * goes through: `await`, `.parse()`, `.withResponse()`, and derived
   * promises made by `_thenUnwrap`) and listens to `responsePromise` for
   * transport errors. Neither adds a `then` to the APIPromise itself, which
   * would start parsing a body the caller may want raw.
   */
  private observeApiPromise(promise: ApiPromiseLike): void {
    const call = this;
    let parseRequested = false;
    let parseStarted = false;
    let rawOnly = false;
    let headersArrived = false;
    let unreadTimer: ReturnType<typeof setTimeout> | undefined;

    const originalParseResponse = promise.parseResponse;
    promise.parseResponse = function observedParseResponse(this: unknown, ...args: unknown[]) {
      parseStarted = true;
      if (unreadTimer !== undefined) clearTimeout(unreadTimer);
      let parsed: unknown;
      try {
        parsed = originalParseResponse.apply(this, args);
      } catch (error) {
        call.finisher.fail(error);
        throw error;
      }
      if (!isThenable(parsed)) {
        call.onResult(parsed);
        return parsed;
      }
      return Promise.resolve(parsed).then(
        (value) => {
          call.onResult(value);
          return value;
        },
        (error) => {
          call.finisher.fail(error);
          throw error;
        },
      );
    };

    const originalParse = promise.parse;
    if (typeof originalParse === 'function') {
      promise.parse = function observedParse(this: unknown, ...args: unknown[]) {
        parseRequested = true;
        return originalParse.apply(this, args);
      };
    }

    // `.asResponse()` alone hands the raw body to the caller: the span ends at
    // the headers, without usage (never estimated), so it is priced as unknown.
    const originalAsResponse = promise.asResponse;
    if (typeof originalAsResponse === 'function') {
      promise.asResponse = function observedAsResponse(this: unknown, ...args: unknown[]) {
        if (!parseRequested) {
          rawOnly = true;
          if (headersArrived && !parseStarted) endRaw();
        }
        return originalAsResponse.apply(this, args);
      };
    }

    const endRaw = () => {
      if (unreadTimer !== undefined) clearTimeout(unreadTimer);
      call.finisher.end();
    };
    promise.responsePromise.then(
      () => {
        headersArrived = true;
        if (rawOnly && !parseStarted) {
          endRaw();
          return;
        }
        // A requested parse is on its way; otherwise nobody may ever await
        // this promise (or only a derived one will): bound the span's life.
        const bound = call.settings.unreadTimeoutMs;
        if (parseStarted || parseRequested || call.finisher.ended || !(bound > 0 && Number.isFinite(bound))) return;
        unreadTimer = setTimeout(() => call.finisher.end(), bound);
        unreadTimer.unref?.();
      },
      (error: unknown) => call.finisher.fail(error),
    );
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
          { unreadTimeoutMs: settings.unreadTimeoutMs },
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

function isApiPromise(value: unknown): value is ApiPromiseLike {
  return (
    isThenable(value) &&
    typeof (value as Payload).parseResponse === 'function' &&
    isThenable((value as Payload).responsePromise)
  );
}

/** What an aborted stream records: a plain object, so `error.type` is the SDK's own name for an abort. */
const ABORTED = { name: 'APIUserAbortError' };

function isStream(
  value: unknown,
): value is { iterator: () => AsyncIterator<unknown>; controller?: { signal?: { aborted?: boolean } } } {
  return !!value && typeof value === 'object' && typeof (value as Payload).iterator === 'function';
}
