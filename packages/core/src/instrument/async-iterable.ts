import type { SpanFinisher } from './span-finisher';
import { type ObserveStreamOptions, observeStreamIterator, type StreamObserver } from './stream';

type AsyncIteratorMethod = (...args: unknown[]) => Promise<IteratorResult<unknown>>;

/**
 * Observes a plain async iterable in place, for SDKs whose streams are not
 * Stainless `Stream`s: an async generator (`@google/genai`) or an object
 * with its own `[Symbol.asyncIterator]` (the AWS SDK's event streams). The
 * caller keeps the very same object; the span ends exactly once, on the same
 * exit paths as `observeStreamIterator`, which does the work.
 *
 * - An async iterator (it has `next`, e.g. a generator) gets own `next`,
 *   `return` and `throw` methods that go through the observer, so `for await`
 *   and direct `next()` calls are both seen.
 * - Any other async iterable gets an own `[Symbol.asyncIterator]`.
 *
 * Returns false, touching nothing, when `target` is neither.
 */
export function observeAsyncIterable<T>(
  target: unknown,
  finisher: SpanFinisher,
  observer: StreamObserver<T>,
  options: ObserveStreamOptions = {},
): boolean {
  if (!target || typeof target !== 'object') return false;
  const host = target as Record<PropertyKey, unknown>;
  // A caller may go on calling `next()` after an early exit: the observer hears of the end once.
  const once: StreamObserver<T> = {
    onChunk: (chunk) => observer.onChunk(chunk),
    onComplete: (f) => {
      if (!f.ended) observer.onComplete(f);
    },
    onIncomplete: (f, reason) => {
      if (!f.ended) (observer.onIncomplete ?? ((g: SpanFinisher) => g.end()))(f, reason);
    },
  };
  if (typeof host.next === 'function') {
    const methods = {
      next: host.next as AsyncIteratorMethod,
      return: host.return as AsyncIteratorMethod | undefined,
      throw: host.throw as AsyncIteratorMethod | undefined,
    };
    const inner: AsyncIterator<T> = {
      next: (...args: unknown[]) => methods.next.apply(target, args) as Promise<IteratorResult<T>>,
    };
    if (typeof methods.return === 'function') {
      inner.return = (...args: unknown[]) => methods.return!.apply(target, args) as Promise<IteratorResult<T>>;
    }
    if (typeof methods.throw === 'function') {
      inner.throw = (...args: unknown[]) => methods.throw!.apply(target, args) as Promise<IteratorResult<T>>;
    }
    const observed = observeStreamIterator({ iterator: () => inner }, finisher, once, options).iterator();
    host.next = (...args: unknown[]) => observed.next(...(args as []));
    host.return = (...args: unknown[]) => observed.return!(...(args as []));
    host.throw = (...args: unknown[]) => observed.throw!(...(args as []));
    return true;
  }
  const iterate = host[Symbol.asyncIterator];
  if (typeof iterate !== 'function') return false;
  const source = observeStreamIterator(
    { iterator: () => iterate.call(target) as AsyncIterator<T> },
    finisher,
    once,
    options,
  );
  host[Symbol.asyncIterator] = () => source.iterator();
  return true;
}
