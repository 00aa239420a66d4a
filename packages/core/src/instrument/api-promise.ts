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
  const promise = returned;
  let parseRequested = false;
  let parseStarted = false;
  let rawRequested = false;
  let headersArrived = false;
  let unreadTimer: ReturnType<typeof setTimeout> | undefined;
  const clearUnread = () => {
    if (unreadTimer !== undefined) clearTimeout(unreadTimer);
    unreadTimer = undefined;
  };
  const onParsed = (value: unknown) => {
    if (finisher.ended) return;
    try {
      observer.onParsed(value);
    } catch {
      finisher.end();
    }
  };
  const fail = (error: unknown) => {
    clearUnread();
    finisher.fail(error);
  };
  const endRaw = () => {
    clearUnread();
    if (!parseStarted) finisher.end();
  };

  const parseResponse = promise.parseResponse;
  promise.parseResponse = function observedParseResponse(this: unknown, ...args: unknown[]) {
    parseStarted = true;
    clearUnread();
    let parsed: unknown;
    try {
      parsed = parseResponse.apply(this, args);
    } catch (error) {
      fail(error);
      throw error;
    }
    // Listened to before the SDK hands it on, so a stream is observed before the caller reads it.
    if (isThenable(parsed)) parsed.then(onParsed, fail);
    else onParsed(parsed);
    return parsed;
  };

  const parse = promise.parse;
  if (typeof parse === 'function') {
    promise.parse = function observedParse(this: unknown, ...args: unknown[]) {
      parseRequested = true;
      return parse.apply(this, args);
    };
  }

  const asResponse = promise.asResponse;
  if (typeof asResponse === 'function') {
    promise.asResponse = function observedAsResponse(this: unknown, ...args: unknown[]) {
      // `withResponse()` asks for a parse first: that span ends with the body.
      if (!parseRequested) {
        rawRequested = true;
        if (headersArrived) endRaw();
      }
      return asResponse.apply(this, args);
    };
  }

  const onHeaders = () => {
    headersArrived = true;
    if (rawRequested) {
      // After the reactions already queued on the headers: a parse asked for before them starts first.
      Promise.resolve().then(endRaw);
      return;
    }
    const bound = observer.unreadTimeoutMs ?? DEFAULT_UNREAD_STREAM_TIMEOUT_MS;
    if (parseStarted || parseRequested || finisher.ended || !(bound > 0 && Number.isFinite(bound))) return;
    // Nobody may ever await this promise (or only a promise derived from it will).
    unreadTimer = setTimeout(() => {
      unreadTimer = undefined;
      if (!parseStarted) finisher.end();
    }, bound);
    unreadTimer.unref?.();
  };
  const passOn = (response: unknown) => {
    onHeaders();
    return response;
  };
  const failWith = (error: unknown): never => {
    fail(error);
    throw error;
  };
  promise.responsePromise = promise.responsePromise.then(passOn, (error: unknown) => {
    let replacement: PromiseLike<unknown> | undefined;
    try {
      replacement = observer.recover?.(error);
    } catch {
      replacement = undefined;
    }
    if (replacement === undefined) return failWith(error);
    return Promise.resolve(replacement).then(passOn, failWith);
  });
  return true;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
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
