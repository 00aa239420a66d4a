import type { SpanFinisher } from './span-finisher';

/** What an instrumentation learns from a stream while the caller reads it. */
export interface StreamObserver<T> {
  /** Sees each chunk. Return `false` to hide the chunk from the caller (e.g. an injected usage-only chunk). */
  onChunk(chunk: T): boolean | undefined | void;
  /** The stream ended normally: record usage and end the span. */
  onComplete(finisher: SpanFinisher): void;
  /** The caller stopped early (`break`, `.return()`), or left the stream unread for longer than the bound. */
  onIncomplete?(finisher: SpanFinisher, reason: 'early_return' | 'unread'): void;
}

export interface ObserveStreamOptions {
  /**
   * End the span when the caller has not asked for a chunk for this many
   * milliseconds: before the first read, or between two reads (a
   * `toReadableStream()` nobody consumes pulls one chunk, then waits). Time
   * spent waiting on the server does not count. The stream itself is left
   * alone: the caller may still read it.
   */
  unreadTimeoutMs?: number;
}

/** Default bound for a stream left unread: five minutes. */
export const DEFAULT_UNREAD_STREAM_TIMEOUT_MS = 5 * 60 * 1000;

interface IteratorHost<T> {
  iterator: () => AsyncIterator<T>;
}

/**
 * Wraps a Stainless-style stream instance's `iterator` method in place, so the
 * caller keeps the very same instance and every consumer built on `iterator`
 * (`for await`, `tee()`, `toReadableStream()`) is observed. The span ends
 * exactly once: on completion, on error, on early return, or at the unread bound.
 */
export function observeStreamIterator<T, S extends IteratorHost<T>>(
  stream: S,
  finisher: SpanFinisher,
  observer: StreamObserver<T>,
  options: ObserveStreamOptions = {},
): S {
  const original = stream.iterator;
  if (typeof original !== 'function') {
    finisher.end();
    return stream;
  }
  const timeoutMs = options.unreadTimeoutMs ?? DEFAULT_UNREAD_STREAM_TIMEOUT_MS;
  const bounded = timeoutMs > 0 && Number.isFinite(timeoutMs);
  // One timer per stream, not one per chunk: a chunk only notes the time it
  // was handed over, and the timer, when it fires, re-arms itself for what
  // is left of the bound since then. While a read waits on the server, the
  // timer lapses and the chunk that ends the wait arms it again.
  let handedOverAt = performance.now();
  let reading = false;
  let unreadTimer: ReturnType<typeof setTimeout> | undefined;
  const clearUnread = () => {
    if (unreadTimer !== undefined) clearTimeout(unreadTimer);
    unreadTimer = undefined;
  };
  const armUnread = (delayMs: number) => {
    unreadTimer = setTimeout(onUnreadTimer, delayMs);
    unreadTimer.unref?.();
  };
  const onUnreadTimer = () => {
    unreadTimer = undefined;
    if (reading || finisher.ended) return;
    const left = handedOverAt + timeoutMs - performance.now();
    if (left > 0) armUnread(Math.max(1, Math.ceil(left)));
    else safeCall(() => (observer.onIncomplete ?? endPlain)(finisher, 'unread'), finisher);
  };
  // Armed while the caller holds the stream without asking for more.
  const handOver = () => {
    reading = false;
    handedOverAt = performance.now();
    if (bounded && unreadTimer === undefined && !finisher.ended) armUnread(timeoutMs);
  };
  if (bounded) armUnread(timeoutMs);

  stream.iterator = function observedIterator(this: unknown): AsyncIterator<T> {
    const inner: AsyncIterator<T> = original.call(this ?? stream);
    const complete = () => safeCall(() => observer.onComplete(finisher), finisher);
    const incomplete = () => safeCall(() => (observer.onIncomplete ?? endPlain)(finisher, 'early_return'), finisher);
    const observed: AsyncIterator<T> & AsyncIterable<T> = {
      async next(value?: unknown) {
        reading = true;
        // Forwarded as called: `next()` and `next(undefined)` differ for some iterators.
        const forward = arguments.length > 0;
        for (;;) {
          let result: IteratorResult<T>;
          try {
            result = await (forward ? inner.next(value) : inner.next());
          } catch (error) {
            clearUnread();
            finisher.fail(error);
            throw error;
          }
          if (result.done) {
            clearUnread();
            complete();
            return result;
          }
          let show: boolean | undefined | void = true;
          try {
            show = observer.onChunk(result.value);
          } catch {
            show = true;
          }
          if (show !== false) {
            handOver();
            return result;
          }
        }
      },
      async return(value?: unknown) {
        clearUnread();
        incomplete();
        if (typeof inner.return === 'function') return inner.return(value);
        return { done: true, value: value as T };
      },
      async throw(error?: unknown) {
        clearUnread();
        finisher.fail(error);
        if (typeof inner.throw === 'function') return inner.throw(error);
        throw error;
      },
      [Symbol.asyncIterator]() {
        return this;
      },
    };
    return observed;
  };
  return stream;
}

function endPlain(finisher: SpanFinisher): void {
  finisher.end();
}

function safeCall(fn: () => void, finisher: SpanFinisher): void {
  try {
    fn();
  } catch {
    // an observer bug must not lose the span
  }
  if (!finisher.ended) finisher.end();
}
