/**
 * Registry of priced intervals still open in this process (a sandbox that is
 * running, billed by the second, a sandbox call that may start one, or an
 * LLM stream still being read).
 * Instrumentations add a closer when an interval opens and remove it when it
 * ends; `CostSpanProcessor.shutdown()`
 * calls `closeAllOpenIntervals()` so the spans are ended, priced and exported
 * before the exporters shut down.
 *
 * Kept on `globalThis` under a registered symbol, so the ESM and CommonJS
 * copies of this package (dual-package hazard) share one registry.
 */
export type OpenIntervalCloser = () => void;

/**
 * What is open: a sandbox running (a billed interval), a sandbox call in
 * flight that may start one (create, start, a command), or an LLM stream
 * still being read. Only the first is a running interval; the others are
 * operations whose spans have not ended.
 */
export type OpenIntervalKind = 'sandbox-interval' | 'sandbox-call' | 'llm-stream';

const REGISTRY_KEY = Symbol.for('agentburn.core.open-intervals');
// Kept apart from the closers, so a copy of this package that knows no kinds still shares the registry.
const KINDS_KEY = Symbol.for('agentburn.core.open-interval-kinds');

function shared<V>(key: symbol): Map<string, V> {
  const holder = globalThis as { [key: symbol]: Map<string, V> | undefined };
  let map = holder[key];
  if (!map) {
    map = new Map();
    holder[key] = map;
  }
  return map;
}

const registry = () => shared<OpenIntervalCloser>(REGISTRY_KEY);
const kinds = () => shared<OpenIntervalKind>(KINDS_KEY);

/** Registers (or replaces) the closer of `key`, open as `kind` (a running sandbox interval unless told). */
export function addOpenInterval(
  key: string,
  close: OpenIntervalCloser,
  kind: OpenIntervalKind = 'sandbox-interval',
): void {
  registry().set(key, close);
  kinds().set(key, kind);
}

/** Forgets the interval `key`, which has ended by itself. */
export function removeOpenInterval(key: string): void {
  registry().delete(key);
  kinds().delete(key);
}

/** How many are open: all of them, or those of `kind`. */
export function openIntervalCount(kind?: OpenIntervalKind): number {
  const map = registry();
  if (kind === undefined) return map.size;
  const known = kinds();
  let count = 0;
  for (const key of map.keys()) if ((known.get(key) ?? 'sandbox-interval') === kind) count++;
  return count;
}

/**
 * Synchronously closes every open interval (the closers end their spans as
 * `abandoned`). Returns how many were closed. A failing closer is skipped.
 */
export function closeAllOpenIntervals(): number {
  const map = registry();
  const closers = [...map.values()];
  map.clear();
  kinds().clear();
  let closed = 0;
  for (const close of closers) {
    try {
      close();
      closed++;
    } catch {
      // one broken closer must not keep the others open
    }
  }
  return closed;
}
