import {
  ATTR_COST_ESTIMATED,
  ATTR_E2B_SANDBOX_ACTIVE_SECONDS,
  ATTR_E2B_SANDBOX_BILLED_SECONDS,
  ATTR_E2B_SANDBOX_CPU_COUNT,
  ATTR_E2B_SANDBOX_END_REASON,
  ATTR_E2B_SANDBOX_ID,
  ATTR_E2B_SANDBOX_MEMORY_MIB,
  ATTR_E2B_TEMPLATE_ID,
  addOpenInterval,
  meterSandbox,
  removeOpenInterval,
  SANDBOX_END_ABANDONED,
  SANDBOX_END_LOST,
  SANDBOX_END_PAUSED,
  SANDBOX_END_TIMEOUT,
  type SandboxBudgetMeter,
  type SandboxEndReason,
  SPAN_E2B_SANDBOX,
} from '@agentburn/core';
import { type Attributes, type Context, type Span, SpanKind, type Tracer } from '@opentelemetry/api';
import { type Clock, scheduleAt } from './clock';
import { type SandboxFacts, type SandboxSize, templateSize } from './sizes';

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

interface OpenInterval {
  span: Span;
  registryKey: string;
  startMs: number;
  endAtMs: number;
  cancelTimer: () => void;
  activeMs: number;
  inflight: number;
  activeSince: number;
  /** Stops following operations that outlive their call (background commands), for `abandoned`. */
  followers: Set<() => void>;
  /** The running time counted against the budget the sandbox started in, if any. */
  budget: SandboxBudgetMeter | undefined;
}

/** What is known of one sandbox, by id, across the SDK objects that point at it. */
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
  /** The last interval ended because the sandbox paused itself on timeout. */
  pausedOnTimeout: boolean;
  /** Seconds billed by the intervals already ended. */
  billedSeconds: number;
  /** Bumped whenever a create, connect or setTimeout of ours sets the expiry (see `applyFacts`). */
  expiryVersion: number;
  open?: OpenInterval;
}

/** Told when an interval opens and asked for extra attributes as it ends (usage sampling). */
export interface IntervalObserver {
  opened(id: string, startMs: number): void;
  closing(id: string): Attributes;
}

let instanceCounter = 0;
/** Bounds the records of sandboxes no longer running. */
const MAX_CLOSED_RECORDS = 1000;

/**
 * Running intervals of sandboxes, keyed by sandbox id: one `e2b.sandbox`
 * span per interval, from create or connect/resume until kill, pause,
 * expiry, loss or shutdown. The span carries what the cost processor needs
 * (size and billed seconds); it never carries a price itself.
 */
export class SandboxIntervals {
  private readonly records = new Map<string, SandboxRecord>();
  private readonly prefix = `e2b#${++instanceCounter}:`;

  constructor(
    private readonly tracer: () => Tracer,
    private readonly clock: Clock,
    private readonly observer?: IntervalObserver,
  ) {}

  now(): number {
    return this.clock.now();
  }

  isOpen(id: string): boolean {
    return this.records.get(id)?.open !== undefined;
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
    if (record.open) {
      if (start.endAtMs > record.open.endAtMs) this.setExpiry(record, start.endAtMs);
      return;
    }
    const attributes: Attributes = { [ATTR_E2B_SANDBOX_ID]: id };
    if (record.template !== undefined) attributes[ATTR_E2B_TEMPLATE_ID] = record.template;
    const span = this.tracer().startSpan(
      SPAN_E2B_SANDBOX,
      { kind: SpanKind.INTERNAL, startTime: new Date(start.startMs), attributes },
      start.parent,
    );
    const open: OpenInterval = {
      span,
      registryKey: this.prefix + id,
      startMs: start.startMs,
      endAtMs: start.endAtMs,
      cancelTimer: () => {},
      activeMs: 0,
      inflight: 0,
      activeSince: 0,
      followers: new Set(),
      budget: meterSandbox(start.parent, {
        provider: 'e2b',
        name: SPAN_E2B_SANDBOX,
        clock: this.clock,
        startMs: start.startMs,
        size: () => {
          const size = record.size ?? templateSize(record.template) ?? templateSize('base');
          return size && { vcpu: size.cpuCount, memoryMib: size.memoryMib };
        },
        stop: (action) => record.stop?.(action),
      }),
    };
    record.open = open;
    this.setExpiry(record, start.endAtMs);
    addOpenInterval(open.registryKey, () => this.end(id, SANDBOX_END_ABANDONED));
    this.observer?.opened(id, start.startMs);
  }

  /** The sandbox's lifetime was set to `timeoutMs` from `atMs` (setTimeout may shorten it). */
  setTimeoutFrom(id: string, atMs: number, timeoutMs: number): void {
    const record = this.records.get(id);
    if (!record) return;
    record.timeoutMs = timeoutMs;
    record.expiryVersion++;
    if (record.open) this.setExpiry(record, atMs + timeoutMs);
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
      record.open?.span.setAttribute(ATTR_E2B_TEMPLATE_ID, facts.template);
    }
    if (facts.onTimeout) record.onTimeout = facts.onTimeout;
    if (facts.autoResume !== undefined) record.autoResume = facts.autoResume;
    // E2B's clock, not ours: an expiry already past here means skew, and the estimate we have stands.
    const current = version === undefined || version === record.expiryVersion;
    if (facts.endAtMs !== undefined && record.open && current && facts.endAtMs > this.clock.now()) {
      this.setExpiry(record, facts.endAtMs);
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
    if (!record.open && record.pausedOnTimeout && record.autoResume) {
      const now = this.clock.now();
      this.start(id, { parent, startMs: now, endAtMs: now + record.timeoutMs });
    }
    const open = record.open;
    if (!open) return noop;
    if (open.inflight++ === 0) open.activeSince = this.clock.now();
    let left = false;
    return () => {
      if (left) return;
      left = true;
      if (record.open !== open) return;
      if (--open.inflight === 0) open.activeMs += Math.max(0, this.clock.now() - open.activeSince);
    };
  }

  /**
   * Registers `stop` to run if the open interval of `id` is abandoned: at
   * shutdown, a background command still followed ends with it, so its span
   * is exported. Returns the unregistration.
   */
  follow(id: string | undefined, stop: () => void): () => void {
    const open = id === undefined ? undefined : this.records.get(id)?.open;
    if (!open) return noop;
    open.followers.add(stop);
    return () => open.followers.delete(stop);
  }

  /**
   * Ends the open interval of `id`, if any. `atMs` is when the end was
   * observed; billing stops there, or at the known expiry if that came first.
   * `abandoned` bills to the expiry: the sandbox keeps running after we go.
   */
  end(id: string, reason: SandboxEndReason, atMs = this.clock.now()): void {
    const record = this.records.get(id);
    const open = record?.open;
    if (!record || !open) return;
    record.open = undefined;
    record.pausedOnTimeout = false;
    open.cancelTimer();
    removeOpenInterval(open.registryKey);

    const billedEnd = reason === SANDBOX_END_ABANDONED ? open.endAtMs : Math.min(atMs, open.endAtMs);
    const spanEnd = reason === SANDBOX_END_ABANDONED ? Math.max(atMs, open.startMs) : Math.max(billedEnd, open.startMs);
    if (open.inflight > 0) open.activeMs += Math.max(0, Math.min(atMs, open.endAtMs) - open.activeSince);
    open.inflight = 0;

    const billed = billedSeconds(open.startMs, billedEnd);
    record.billedSeconds += billed;
    open.budget?.end(billed);
    const attributes: Attributes = {
      [ATTR_E2B_SANDBOX_BILLED_SECONDS]: billed,
      [ATTR_E2B_SANDBOX_ACTIVE_SECONDS]: Math.round(open.activeMs) / 1000,
      [ATTR_E2B_SANDBOX_END_REASON]: reason,
    };
    const size = record.size ?? templateSize(record.template);
    if (size) {
      attributes[ATTR_E2B_SANDBOX_CPU_COUNT] = size.cpuCount;
      attributes[ATTR_E2B_SANDBOX_MEMORY_MIB] = size.memoryMib;
    }
    // The end was not observed: billed to the expiry (abandoned) or to when the loss was found (lost).
    if (reason === SANDBOX_END_ABANDONED || reason === SANDBOX_END_LOST) attributes[ATTR_COST_ESTIMATED] = true;
    try {
      if (this.observer) Object.assign(attributes, this.observer.closing(id));
      open.span.setAttributes(attributes);
      open.span.end(new Date(spanEnd));
    } catch {
      // a broken span must not break the caller
    }
    const followers = reason === SANDBOX_END_ABANDONED ? [...open.followers] : [];
    open.followers.clear();
    for (const stop of followers) {
      try {
        stop();
      } catch {
        // one broken follower must not keep the others open
      }
    }
    this.trimClosed();
  }

  /**
   * Running seconds recorded for `id` in this process: the intervals ended so
   * far plus the open one up to now. Undefined for a sandbox never seen.
   */
  recordedSeconds(id: string): number | undefined {
    const record = this.records.get(id);
    if (!record) return undefined;
    const open = record.open;
    return record.billedSeconds + (open ? billedSeconds(open.startMs, Math.min(this.clock.now(), open.endAtMs)) : 0);
  }

  /** Ends every open interval as `abandoned` (also done through core's registry at provider shutdown). */
  abandonAll(): void {
    for (const record of [...this.records.values()]) if (record.open) this.end(record.id, SANDBOX_END_ABANDONED);
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

  private setExpiry(record: SandboxRecord, endAtMs: number): void {
    const open = record.open;
    if (!open) return;
    open.cancelTimer();
    open.endAtMs = endAtMs;
    open.cancelTimer = scheduleAt(this.clock, endAtMs, () => this.expire(record.id, open));
  }

  /** The sandbox reached its expiry while we were still running: E2B killed or paused it then. */
  private expire(id: string, open: OpenInterval): void {
    const record = this.records.get(id);
    if (!record || record.open !== open) return;
    const pauses = record.onTimeout === 'pause';
    this.end(id, pauses ? SANDBOX_END_PAUSED : SANDBOX_END_TIMEOUT, open.endAtMs);
    record.pausedOnTimeout = pauses;
  }

  private trimClosed(): void {
    if (this.records.size <= MAX_CLOSED_RECORDS) return;
    for (const [id, record] of this.records) {
      if (this.records.size <= MAX_CLOSED_RECORDS) break;
      if (!record.open && !(record.pausedOnTimeout && record.autoResume)) this.records.delete(id);
    }
  }
}

/**
 * E2B bills running time per second. We bill whole seconds, rounding a
 * started second up (an upper bound within one second per interval).
 */
export function billedSeconds(startMs: number, endMs: number): number {
  return Math.ceil(Math.max(0, endMs - startMs) / 1000);
}

function noop(): void {}
