import type { SpanFinisher } from './span-finisher';
import { DEFAULT_UNREAD_STREAM_TIMEOUT_MS } from './stream';

/** What an instrumentation does with a call's result, and how long an unread response may keep its span open. */
export interface ApiPromiseObserver {
  /**
   * The parsed body: a finished object (end the span with its attributes) or
   * a stream still to be read (see `observeStreamIterator`). Called while the
   * span is open; if it throws or leaves the span open, the span stays bounded.
   */
  onParsed(value: unknown): void;
  /** End the span when the response arrived but nobody parses it for this long. Defaults to five minutes. */
  unreadTimeoutMs?: number;
  /**
   * The request failed: return the `responsePromise` of a replacement request
   * (e.g. the caller's own request, resent without something the
   * instrumentation added) to answer the caller with instead, or undefined to
   * let the error through. The SDK's own parse turns the replacement's
   * response into the value the caller gets, on the same APIPromise.
   */
  recover?(error: unknown): PromiseLike<unknown> | undefined;
}

/** The parts of a Stainless `APIPromise` (openai, @anthropic-ai/sdk) this file relies on. */
interface ApiPromiseLike {
  responsePromise: PromiseLike<unknown>;
  parseResponse: (...args: unknown[]) => unknown;
  parse?: (...args: unknown[]) => unknown;
  asResponse?: (...args: unknown[]) => unknown;
}

/**
 * Observes a Stainless `APIPromise` in place and ends the span exactly once.
 * Returns false, touching nothing, when `returned` is not one.
 *
 * - `parseResponse` is hooked on the instance: every consumer goes through it
 *   (`await`, `.parse()`, `.withResponse()`, promises derived by
 *   `_thenUnwrap`), and it returns the SDK's own value unchanged.
 * - `responsePromise` is replaced by a promise chained on it that sees
 *   transport errors (HTTP status, timeout, refused connection, abort) and the
 *   headers' arrival, and passes both on untouched: the same response and
 *   the same error instance reach every consumer. Chained, not merely
 *   listened to, so a failed call nobody reads is still reported as an
 *   unhandled rejection, exactly as without the instrumentation. Nothing is
 *   added to the APIPromise itself, whose `then` would start parsing a body
 *   the caller may want raw.
 * - `.asResponse()` alone hands the raw body to the caller: the span ends at
 *   the headers, without usage (never estimated), so it is priced as unknown.
 * - A response nobody parses (a promise never awaited) ends its span after
 *   `unreadTimeoutMs`; the body stays unread for a late caller.
 */
export function observeApiPromise(returned: unknown, finisher: SpanFinisher, observer: ApiPromiseObserver): boolean {
  if (!isApiPromise(returned)) return false;
  // One object holds the call's state; the hooks below are thin closures over it (fewer per-call allocations).
  const observation = new ApiPromiseObservation(finisher, observer, returned);
  const promise = returned;
  promise.parseResponse = function observedParseResponse(this: unknown, ...args: unknown[]) {
    return observation.parseResponse(this, args);
  };
  const parse = promise.parse;
  if (typeof parse === 'function') {
    promise.parse = function observedParse(this: unknown, ...args: unknown[]) {
      observation.parseRequested = true;
      return parse.apply(this, args);
    };
  }
  const asResponse = promise.asResponse;
  if (typeof asResponse === 'function') {
    promise.asResponse = function observedAsResponse(this: unknown, ...args: unknown[]) {
      observation.rawAsked();
      return asResponse.apply(this, args);
    };
  }
  promise.responsePromise = promise.responsePromise.then(
    (response) => observation.passOn(response),
    (error: unknown) => observation.recoverOrFail(error),
  );
  return true;
}

/** The state of one observed `APIPromise` and what happens at each of its steps. */
class ApiPromiseObservation {
  parseRequested = false;
  private parseStarted = false;
  private rawRequested = false;
  private headersArrived = false;
  private unreadTimer: ReturnType<typeof setTimeout> | undefined = undefined;
  private readonly originalParseResponse: ApiPromiseLike['parseResponse'];

  constructor(
    private readonly finisher: SpanFinisher,
    private readonly observer: ApiPromiseObserver,
    promise: ApiPromiseLike,
  ) {
    this.originalParseResponse = promise.parseResponse;
  }

  parseResponse(self: unknown, args: unknown[]): unknown {
    this.parseStarted = true;
    this.clearUnread();
    let parsed: unknown;
    try {
      parsed = this.originalParseResponse.apply(self, args);
    } catch (error) {
      this.fail(error);
      throw error;
    }
    // Listened to before the SDK hands it on, so a stream is observed before the caller reads it.
    if (isThenable(parsed)) {
      parsed.then(
        (value) => this.onParsed(value),
        (error: unknown) => this.fail(error),
      );
    } else {
      this.onParsed(parsed);
    }
    return parsed;
  }

  /** `.asResponse()`: alone it hands the raw body over; `withResponse()` asks for a parse first, whose span ends with the body. */
  rawAsked(): void {
    if (this.parseRequested) return;
    this.rawRequested = true;
    if (this.headersArrived) this.endRaw();
  }

  passOn(response: unknown): unknown {
    this.onHeaders();
    return response;
  }

  recoverOrFail(error: unknown): unknown {
    let replacement: PromiseLike<unknown> | undefined;
    try {
      replacement = this.observer.recover?.(error);
    } catch {
      replacement = undefined;
    }
    if (replacement === undefined) return this.failWith(error);
    return Promise.resolve(replacement).then(
      (response) => this.passOn(response),
      (failure: unknown) => this.failWith(failure),
    );
  }

  private onParsed(value: unknown): void {
    if (this.finisher.ended) return;
    try {
      this.observer.onParsed(value);
    } catch {
      this.finisher.end();
    }
  }

  private onHeaders(): void {
    this.headersArrived = true;
    if (this.rawRequested) {
      // After the reactions already queued on the headers: a parse asked for before them starts first.
      Promise.resolve().then(() => this.endRaw());
      return;
    }
    const bound = this.observer.unreadTimeoutMs ?? DEFAULT_UNREAD_STREAM_TIMEOUT_MS;
    if (this.parseStarted || this.parseRequested || this.finisher.ended || !(bound > 0 && Number.isFinite(bound))) {
      return;
    }
    // Nobody may ever await this promise (or only a promise derived from it will).
    this.unreadTimer = setTimeout(() => {
      this.unreadTimer = undefined;
      if (!this.parseStarted) this.finisher.end();
    }, bound);
    this.unreadTimer.unref?.();
  }

  private endRaw(): void {
    this.clearUnread();
    if (!this.parseStarted) this.finisher.end();
  }

  private clearUnread(): void {
    if (this.unreadTimer !== undefined) clearTimeout(this.unreadTimer);
    this.unreadTimer = undefined;
  }

  private fail(error: unknown): void {
    this.clearUnread();
    this.finisher.fail(error);
  }

  private failWith(error: unknown): never {
    this.fail(error);
    throw error;
  }
}

/** Whether `value` is a promise or any other object with a callable `then`. */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    !!value &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

function isApiPromise(value: unknown): value is ApiPromiseLike {
  return (
    isThenable(value) &&
    typeof (value as { parseResponse?: unknown }).parseResponse === 'function' &&
    isThenable((value as { responsePromise?: unknown }).responsePromise)
  );
}
