/**
 * Registry of priced intervals still open in this process (a sandbox that is
 * running, billed by the second, or an LLM stream still being read).
 * Instrumentations add a closer when an interval opens and remove it when it
 * ends; `CostSpanProcessor.shutdown()`
 * calls `closeAllOpenIntervals()` so the spans are ended, priced and exported
 * before the exporters shut down.
 *
 * Kept on `globalThis` under a registered symbol, so the ESM and CommonJS
 * copies of this package (dual-package hazard) share one registry.
 */
export type OpenIntervalCloser = () => void;

const REGISTRY_KEY = Symbol.for('agentburn.core.open-intervals');

function registry(): Map<string, OpenIntervalCloser> {
  const holder = globalThis as { [REGISTRY_KEY]?: Map<string, OpenIntervalCloser> };
  let map = holder[REGISTRY_KEY];
  if (!map) {
    map = new Map();
    holder[REGISTRY_KEY] = map;
  }
  return map;
}

/** Registers (or replaces) the closer of the open interval `key`. */
export function addOpenInterval(key: string, close: OpenIntervalCloser): void {
  registry().set(key, close);
}

/** Forgets the interval `key`, which has ended by itself. */
export function removeOpenInterval(key: string): void {
  registry().delete(key);
}

export function openIntervalCount(): number {
  return registry().size;
}

/**
 * Synchronously closes every open interval (the closers end their spans as
 * `abandoned`). Returns how many were closed. A failing closer is skipped.
 */
export function closeAllOpenIntervals(): number {
  const map = registry();
  const closers = [...map.values()];
  map.clear();
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
