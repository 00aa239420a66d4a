import {
  ATTR_E2B_SANDBOX_ACTIVE_SECONDS,
  ATTR_E2B_SANDBOX_BILLED_SECONDS,
  ATTR_E2B_SANDBOX_CPU_COUNT,
  ATTR_E2B_SANDBOX_END_REASON,
  ATTR_E2B_SANDBOX_ID,
  ATTR_E2B_SANDBOX_MEMORY_MIB,
  ATTR_E2B_TEMPLATE_ID,
  type ComputeIntervalEnd,
  type ComputeIntervalNames,
  ComputeIntervals,
  type ComputeSize,
  meterSandbox,
  SANDBOX_END_PAUSED,
  SANDBOX_END_TIMEOUT,
  type SandboxBudgetMeter,
  type SandboxEndReason,
  SPAN_E2B_SANDBOX,
} from '@agentburn/core';
import type { Attributes, Context, Tracer } from '@opentelemetry/api';
import type { Clock } from './clock';
import { type SandboxFacts, type SandboxSize, templateSize } from './sizes';

export { billedSecondsBetween as billedSeconds } from '@agentburn/core';

/** The `e2b.sandbox` span keeps E2B's own attribute names (CONVENTIONS §4). */
const E2B_INTERVAL_NAMES: ComputeIntervalNames = {
  sandboxId: ATTR_E2B_SANDBOX_ID,
  vcpu: ATTR_E2B_SANDBOX_CPU_COUNT,
  memoryMib: ATTR_E2B_SANDBOX_MEMORY_MIB,
  billedSeconds: ATTR_E2B_SANDBOX_BILLED_SECONDS,
  endReason: ATTR_E2B_SANDBOX_END_REASON,
  activeSeconds: ATTR_E2B_SANDBOX_ACTIVE_SECONDS,
};

/** E2B's default sandbox lifetime when no timeout is given: 300 s. */
export const DEFAULT_SANDBOX_TIMEOUT_MS = 300_000;

/** The SDK sends timeouts in whole seconds, rounded up; the sandbox lives that long. */
export function wireTimeoutMs(timeoutMs: number): number {
  return Math.ceil(timeoutMs / 1000) * 1000;
}

export interface IntervalStart {
  /** The context the interval span is parented to (the caller's, at create or connect). */
  parent: Context;
  startMs: number;
  /** Known expiry; for a sandbox already running here it is only ever extended (E2B's connect rule). */
  endAtMs: number;
  template?: string;
  onTimeout?: 'kill' | 'pause';
  autoResume?: boolean;
  /** How a budget pauses or kills this sandbox once its limit is crossed. */
  stop?: (action: 'pause' | 'kill') => void;
}

/** What is known of one sandbox, by id, across the SDK objects that point at it and across its intervals. */
interface SandboxRecord {
  id: string;
  template?: string;
  size?: SandboxSize;
  onTimeout: 'kill' | 'pause';
  autoResume: boolean;
  /** How a budget stops the sandbox (kept for an interval resumed by traffic). */
  stop?: (action: 'pause' | 'kill') => void;
  /** Lifetime asked for at the last create/connect/setTimeout, for a resume by traffic. */
  timeoutMs: number;
  /** Expiry of the open interval, if one is open. */
  endAtMs?: number;
  /** The last interval ended because the sandbox paused itself on timeout. */
  pausedOnTimeout: boolean;
  /** Seconds billed by the intervals already ended. */
  billedSeconds: number;
  /** Bumped whenever a create, connect or setTimeout of ours sets the expiry (see `applyFacts`). */
  expiryVersion: number;
  /** The open interval's running time counted against the budget it started in, if any. */
  budget?: SandboxBudgetMeter;
}

/** Told when an interval opens and asked for extra attributes as it ends (usage sampling). */
export interface IntervalObserver {
  opened(id: string, startMs: number): void;
  closing(id: string): Attributes;
}

/** Bounds the records of sandboxes no longer running. */
const MAX_CLOSED_RECORDS = 1000;

/**
 * E2B's lifecycle rules over core's running intervals (one `e2b.sandbox`
 * span per interval, from create or connect/resume until kill, pause,
 * expiry, loss or shutdown): a connect only ever extends the expiry, the
 * expiry kills or pauses as the sandbox was told, a sandbox paused on
 * timeout resumes on traffic when auto-resume is on, `getInfo()` answers
 * may arrive late, and a budget may meter the running time.
 */
export class SandboxIntervals {
  private readonly records = new Map<string, SandboxRecord>();
  private readonly intervals: ComputeIntervals;

  constructor(
    tracer: () => Tracer,
    private readonly clock: Clock,
    private readonly observer?: IntervalObserver,
    warn?: (message: string) => void,
  ) {
    this.intervals = new ComputeIntervals({
      tracer,
      clock,
      provider: 'e2b',
      spanName: SPAN_E2B_SANDBOX,
      names: E2B_INTERVAL_NAMES,
      warn,
      observer: {
        opened: (id, startMs) => this.observer?.opened(id, startMs),
        closing: (id, end) => this.closing(id, end),
      },
    });
  }

  now(): number {
    return this.clock.now();
  }

  isOpen(id: string): boolean {
    return this.intervals.isOpen(id);
  }

  /** Opens an interval, or extends the expiry of the one already open for `id`. */
  start(id: string, start: IntervalStart): void {
    const record = this.record(id);
    if (start.template !== undefined) record.template = start.template;
    if (start.onTimeout !== undefined) record.onTimeout = start.onTimeout;
    if (start.autoResume !== undefined) record.autoResume = start.autoResume;
    if (start.stop !== undefined) record.stop = start.stop;
    record.timeoutMs = Math.max(0, start.endAtMs - start.startMs);
    record.pausedOnTimeout = false;
    record.expiryVersion++;
    if (this.intervals.isOpen(id)) {
      this.setExpiry(record, Math.max(start.endAtMs, record.endAtMs ?? start.endAtMs));
      return;
    }
    this.intervals.start(id, {
      parent: start.parent,
      startMs: start.startMs,
      size: sizeOf(record),
      attributes: record.template === undefined ? undefined : { [ATTR_E2B_TEMPLATE_ID]: record.template },
    });
    record.budget = meterSandbox(start.parent, {
      provider: 'e2b',
      name: SPAN_E2B_SANDBOX,
      clock: this.clock,
      startMs: start.startMs,
      size: () => {
        const size = record.size ?? templateSize(record.template) ?? templateSize('base');
        return size && { vcpu: size.cpuCount, memoryMib: size.memoryMib };
      },
      stop: (action) => record.stop?.(action),
    });
    this.setExpiry(record, start.endAtMs);
  }

  /** The sandbox's lifetime was set to `timeoutMs` from `atMs` (setTimeout may shorten it). */
  setTimeoutFrom(id: string, atMs: number, timeoutMs: number): void {
    const record = this.records.get(id);
    if (!record) return;
    record.timeoutMs = timeoutMs;
    record.expiryVersion++;
    this.setExpiry(record, atMs + timeoutMs);
  }

  /** Tags a `getInfo()` about to be sent, for `applyFacts`. */
  expiryVersion(id: string): number | undefined {
    return this.records.get(id)?.expiryVersion;
  }

  /**
   * Applies what `getInfo()` returned: size, template, expiry, timeout
   * behaviour. `version` (from `expiryVersion` when the lookup was sent)
   * drops an expiry read before a later setTimeout or connect of ours
   * whose answer came first.
   */
  applyFacts(id: string, facts: SandboxFacts, version?: number): void {
    const record = this.records.get(id);
    if (!record) return;
    if (facts.size) record.size = facts.size;
    if (facts.template !== undefined && record.template === undefined) {
      record.template = facts.template;
      this.intervals.annotate(id, { [ATTR_E2B_TEMPLATE_ID]: facts.template });
    }
    const size = sizeOf(record);
    if (size) this.intervals.setSize(id, size);
    if (facts.onTimeout) record.onTimeout = facts.onTimeout;
    if (facts.autoResume !== undefined) record.autoResume = facts.autoResume;
    // E2B's clock, not ours: an expiry already past here means skew, and the estimate we have stands.
    const current = version === undefined || version === record.expiryVersion;
    if (facts.endAtMs !== undefined && current && facts.endAtMs > this.clock.now()) {
      this.setExpiry(record, facts.endAtMs);
    } else if (facts.onTimeout && record.endAtMs !== undefined) {
      // What the expiry does may have changed.
      this.setExpiry(record, record.endAtMs);
    }
  }

  /**
   * Marks the start of an operation inside the sandbox; the returned function
   * marks its end. Overlapping operations count once. A sandbox that paused
   * itself on timeout and resumes on traffic starts a new interval here.
   */
  enter(id: string | undefined, parent: Context): () => void {
    if (id === undefined) return noop;
    const record = this.records.get(id);
    if (!record) return noop;
    if (!this.intervals.isOpen(id) && record.pausedOnTimeout && record.autoResume) {
      const now = this.clock.now();
      this.start(id, { parent, startMs: now, endAtMs: now + record.timeoutMs });
    }
    return this.intervals.enter(id);
  }

  /**
   * Registers `stop` to run if the open interval of `id` is abandoned: at
   * shutdown, a background command still followed ends with it, so its span
   * is exported. Returns the unregistration.
   */
  follow(id: string | undefined, stop: () => void): () => void {
    return id === undefined ? noop : this.intervals.follow(id, stop);
  }

  /**
   * Ends the open interval of `id`, if any. `atMs` is when the end was
   * observed; billing stops there, or at the known expiry if that came first.
   * `abandoned` bills to the expiry: the sandbox keeps running after we go.
   */
  end(id: string, reason: SandboxEndReason, atMs = this.clock.now()): void {
    this.intervals.end(id, reason, atMs);
  }

  /**
   * Running seconds recorded for `id` in this process: the intervals ended so
   * far plus the open one up to now. Undefined for a sandbox never seen.
   */
  recordedSeconds(id: string): number | undefined {
    const record = this.records.get(id);
    if (!record) return undefined;
    return record.billedSeconds + this.intervals.openSeconds(id);
  }

  /** Ends every open interval as `abandoned` (also done through core's registry at provider shutdown). */
  abandonAll(): void {
    this.intervals.abandonAll();
  }

  /** The interval of `id` ends: its billed time is recorded and counted against its budget. */
  private closing(id: string, end: ComputeIntervalEnd): Attributes | undefined {
    const record = this.records.get(id);
    if (record) {
      record.billedSeconds += end.billedSeconds;
      record.endAtMs = undefined;
      record.pausedOnTimeout = end.expired && end.reason === SANDBOX_END_PAUSED;
      record.budget?.end(end.billedSeconds);
      record.budget = undefined;
    }
    const observed = this.observer?.closing(id);
    this.trimClosed();
    return observed;
  }

  private record(id: string): SandboxRecord {
    let record = this.records.get(id);
    if (!record) {
      record = {
        id,
        onTimeout: 'kill',
        autoResume: false,
        timeoutMs: DEFAULT_SANDBOX_TIMEOUT_MS,
        pausedOnTimeout: false,
        billedSeconds: 0,
        expiryVersion: 0,
      };
      this.records.set(id, record);
    }
    return record;
  }

  /** At its expiry E2B kills the sandbox, or pauses it when told to (`onTimeout`). */
  private setExpiry(record: SandboxRecord, endAtMs: number): void {
    if (!this.intervals.isOpen(record.id)) return;
    record.endAtMs = endAtMs;
    const reason = record.onTimeout === 'pause' ? SANDBOX_END_PAUSED : SANDBOX_END_TIMEOUT;
    this.intervals.setExpiry(record.id, { atMs: endAtMs, reason });
  }

  private trimClosed(): void {
    if (this.records.size <= MAX_CLOSED_RECORDS) return;
    for (const [id, record] of this.records) {
      if (this.records.size <= MAX_CLOSED_RECORDS) break;
      if (!this.intervals.isOpen(id) && !(record.pausedOnTimeout && record.autoResume)) this.records.delete(id);
    }
  }
}

function sizeOf(record: SandboxRecord): ComputeSize | undefined {
  const size = record.size ?? templateSize(record.template);
  return size && { vcpu: size.cpuCount, memoryMib: size.memoryMib };
}

function noop(): void {}
