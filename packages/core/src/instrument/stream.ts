import { addOpenInterval, removeOpenInterval } from '../open-intervals';
import type { SpanFinisher } from './span-finisher';

/** What an instrumentation learns from a stream while the caller reads it. */
export interface StreamObserver<T> {
  /** Sees each chunk. Return `false` to hide the chunk from the caller (e.g. an injected usage-only chunk). */
  onChunk(chunk: T): boolean | undefined | void;
  /** The stream ended normally: record usage and end the span. */
  onComplete(finisher: SpanFinisher): void;
  /**
   * The stream will not complete under observation: the caller stopped early
   * (`break`, `.return()`), left it unread past the bound, waited on a server
   * silent past the stall bound, or the tracer provider is shutting down.
   */
  onIncomplete?(finisher: SpanFinisher, reason: IncompleteReason): void;
}

export type IncompleteReason = 'early_return' | 'unread' | 'stalled' | 'shutdown';

export interface ObserveStreamOptions {
  /**
   * End the span when the caller has not asked for a chunk for this many
   * milliseconds: before the first read, or between two reads (a
   * `toReadableStream()` nobody consumes pulls one chunk, then waits). Time
   * spent waiting on the server does not count. The stream itself is left
   * alone: the caller may still read it.
   */
  unreadTimeoutMs?: number;
  /**
   * End the span when the caller waits in `next()` and the server sends
   * nothing for this many milliseconds (a stalled server, and a caller that
   * may have walked away from the pending read). The read itself is left
   * alone: if the server resumes, the caller still gets its chunks.
   */
  stallTimeoutMs?: number;
}

/** Default bound for a stream left unread: five minutes. */
export const DEFAULT_UNREAD_STREAM_TIMEOUT_MS = 5 * 60 * 1000;
/** Default bound for a server that stops sending mid-stream: ten minutes, the SDKs' own request timeout. */
export const DEFAULT_STALLED_STREAM_TIMEOUT_MS = 10 * 60 * 1000;

let streamsObserved = 0;

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
  const unreadBound = bound(options.unreadTimeoutMs ?? DEFAULT_UNREAD_STREAM_TIMEOUT_MS);
  const stallBound = bound(options.stallTimeoutMs ?? DEFAULT_STALLED_STREAM_TIMEOUT_MS);
  const idle = new IdleWatch(unreadBound, stallBound, (reason) => giveUp(reason));
  const giveUp = (reason: IncompleteReason) => {
    idle.stop();
    if (!finisher.ended) safeCall(() => (observer.onIncomplete ?? endPlain)(finisher, reason), finisher);
  };
  // A provider shutting down ends the span with what was read: the stream may never end by itself.
  const key = `agentburn.stream.${++streamsObserved}`;
  addOpenInterval(key, () => giveUp('shutdown'), 'llm-stream');
  finisher.onEnded(() => {
    idle.stop();
    removeOpenInterval(key);
  });
  idle.move('holding');

  stream.iterator = function observedIterator(this: unknown): AsyncIterator<T> {
    return new ObservedIterator<T>(original.call(this ?? stream), finisher, observer, idle, giveUp);
  };
  return stream;
}

/**
 * The caller's view of a stream. `next()` is a plain method that chains one
 * `then` on the inner read, with handlers made once per iterator: an async
 * function here cost about 500 bytes and a few hundred nanoseconds per chunk.
 */
class ObservedIterator<T> implements AsyncIterator<T>, AsyncIterable<T> {
  private readonly onResult = (result: IteratorResult<T>): IteratorResult<T> | Promise<IteratorResult<T>> => {
    if (result.done) {
      safeCall(() => this.observer.onComplete(this.finisher), this.finisher);
      return result;
    }
    this.finisher.markResponseStarted();
    let show: boolean | undefined | void = true;
    try {
      show = this.observer.onChunk(result.value);
    } catch {
      show = true;
    }
    if (show === false) return this.next(); // a hidden chunk: read on for the caller
    this.idle.move('holding');
    return result;
  };

  private readonly onError = (error: unknown): never => {
    this.finisher.fail(error);
    throw error;
  };

  constructor(
    private readonly inner: AsyncIterator<T>,
    private readonly finisher: SpanFinisher,
    private readonly observer: StreamObserver<T>,
    private readonly idle: IdleWatch,
    private readonly giveUp: (reason: IncompleteReason) => void,
  ) {}

  next(...args: [] | [unknown]): Promise<IteratorResult<T>> {
    this.idle.move('waiting');
    let read: Promise<IteratorResult<T>>;
    try {
      read = args.length === 0 ? this.inner.next() : this.inner.next(args[0]);
    } catch (error) {
      this.finisher.fail(error);
      return Promise.reject(error);
    }
    return Promise.resolve(read).then(this.onResult, this.onError);
  }

  async return(value?: unknown): Promise<IteratorResult<T>> {
    this.giveUp('early_return');
    if (typeof this.inner.return === 'function') return this.inner.return(value);
    return { done: true, value: value as T };
  }

  async throw(error?: unknown): Promise<IteratorResult<T>> {
    this.finisher.fail(error);
    if (typeof this.inner.throw === 'function') return this.inner.throw(error);
    throw error;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}

/**
 * Watches how long a stream sits still: `holding` (the caller has a chunk
 * and has not asked for the next) or `waiting` (the caller asked, the server
 * has not answered), each with its own bound. A move only records the state
 * and counts itself: reading the clock twice per chunk cost more than the
 * rest of the observation. One timer looks every eighth of the shorter
 * bound; a stretch counts as still from the first look that saw no new
 * move, so a bound is never cut short and is overrun by at most one look.
 */
class IdleWatch {
  private state: 'holding' | 'waiting' = 'holding';
  private moves = 0;
  private movesSeen = 0;
  private stillSince = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;
  private readonly lookEveryMs: number | undefined;

  constructor(
    private readonly holdingBound: number | undefined,
    private readonly waitingBound: number | undefined,
    private readonly expire: (reason: 'unread' | 'stalled') => void,
  ) {
    const shortest = Math.min(holdingBound ?? Infinity, waitingBound ?? Infinity);
    this.lookEveryMs = shortest === Infinity ? undefined : Math.max(1, shortest / 8);
  }

  move(state: 'holding' | 'waiting'): void {
    this.state = state;
    this.moves++;
    if (this.timer === undefined && !this.stopped && this.boundOf(state) !== undefined) {
      this.movesSeen = this.moves;
      this.stillSince = performance.now();
      this.arm();
    }
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private boundOf(state: 'holding' | 'waiting'): number | undefined {
    return state === 'waiting' ? this.waitingBound : this.holdingBound;
  }

  private arm(): void {
    this.timer = setTimeout(() => this.look(), this.lookEveryMs);
    this.timer.unref?.();
  }

  private look(): void {
    this.timer = undefined;
    if (this.stopped) return;
    const limit = this.boundOf(this.state);
    if (limit === undefined) return; // the next move re-arms
    const now = performance.now();
    if (this.moves !== this.movesSeen) {
      this.movesSeen = this.moves;
      this.stillSince = now;
    } else if (now - this.stillSince >= limit) {
      this.expire(this.state === 'waiting' ? 'stalled' : 'unread');
      return;
    }
    this.arm();
  }
}

/** A usable bound in milliseconds, or undefined for none (0, negative, not finite). */
function bound(ms: number): number | undefined {
  return ms > 0 && Number.isFinite(ms) ? ms : undefined;
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
