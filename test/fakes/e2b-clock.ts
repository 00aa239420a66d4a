/**
 * A clock that only moves when told to, with its own timers. Shared by the
 * E2B fake (sandbox expiry) and the E2B instrumentation (interval expiry), so
 * a test can move both through minutes of sandbox life without waiting.
 */
export interface ManualTimer {
  readonly id: number;
  readonly at: number;
  /** Present so code that calls `unref()` on real timers works unchanged. */
  unref(): ManualTimer;
}

interface Pending extends ManualTimer {
  fn: () => void;
}

export class ManualClock {
  private current: number;
  private nextId = 1;
  private readonly timers = new Map<number, Pending>();

  /** Starts at `start` (ms since the epoch); a fixed instant by default. */
  constructor(start = Date.UTC(2025, 0, 1, 12, 0, 0)) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  setTimeout(fn: () => void, ms: number): ManualTimer {
    const timer: Pending = {
      id: this.nextId++,
      at: this.current + Math.max(0, ms),
      fn,
      unref() {
        return this;
      },
    };
    this.timers.set(timer.id, timer);
    return timer;
  }

  clearTimeout(handle: unknown): void {
    if (handle && typeof handle === 'object' && 'id' in handle) this.timers.delete((handle as ManualTimer).id);
  }

  /** Timers not yet fired. */
  get pendingTimers(): number {
    return this.timers.size;
  }

  /**
   * Moves time forward by `ms`, firing every timer that falls due, in order,
   * each with the clock set to its due time.
   */
  advance(ms: number): void {
    const target = this.current + ms;
    // Bounded: a timer callback may schedule more timers, but never more than this many rounds.
    for (let round = 0; round < 10_000; round++) {
      let due: Pending | undefined;
      for (const timer of this.timers.values()) {
        if (timer.at <= target && (!due || timer.at < due.at || (timer.at === due.at && timer.id < due.id)))
          due = timer;
      }
      if (!due) break;
      this.timers.delete(due.id);
      this.current = Math.max(this.current, due.at);
      due.fn();
    }
    this.current = target;
  }

  /** Moves time forward by whole seconds. */
  advanceSeconds(seconds: number): void {
    this.advance(seconds * 1000);
  }
}
