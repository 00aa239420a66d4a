/**
 * Where interval timestamps and expiry timers come from. The default is the
 * wall clock (`Date.now()`) with Node timers; tests inject a clock they move
 * by hand, so minutes of sandbox life take no time.
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Schedules `fn` after `ms` on this clock. Node's `setTimeout` when absent. */
  setTimeout?(fn: () => void, ms: number): unknown;
  clearTimeout?(handle: unknown): void;
}

/** Node caps timer delays at 2^31-1 ms (about 24.8 days). */
const MAX_TIMER_MS = 2_147_483_647;

export const systemClock: Clock = { now: () => Date.now() };

/** Runs `fn` at `atMs` on `clock`; the timer never keeps the process alive. */
export function scheduleAt(clock: Clock, atMs: number, fn: () => void): () => void {
  const delay = Math.min(MAX_TIMER_MS, Math.max(0, atMs - clock.now()));
  // A delay capped by MAX_TIMER_MS fires early: check again then.
  const fire = () => (clock.now() >= atMs ? fn() : (cancel = scheduleAt(clock, atMs, fn)));
  let cancel: () => void;
  if (clock.setTimeout) {
    const handle = clock.setTimeout(fire, delay);
    (handle as { unref?: () => void } | undefined)?.unref?.();
    cancel = () => clock.clearTimeout?.(handle);
  } else {
    const handle = setTimeout(fire, delay);
    handle.unref?.();
    cancel = () => clearTimeout(handle);
  }
  return () => cancel();
}
