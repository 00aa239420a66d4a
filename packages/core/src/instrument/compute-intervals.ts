import { type Attributes, type Context, type Span, SpanKind, type Tracer } from '@opentelemetry/api';
import { addOpenInterval, removeOpenInterval } from '../open-intervals';
import {
  ATTR_COMPUTE_BILLED_SECONDS,
  ATTR_COMPUTE_CREATIONS,
  ATTR_COMPUTE_DISK_GIB,
  ATTR_COMPUTE_END_REASON,
  ATTR_COMPUTE_MEMORY_MIB,
  ATTR_COMPUTE_PROVIDER,
  ATTR_COMPUTE_SANDBOX_ID,
  ATTR_COMPUTE_VCPU,
  ATTR_COST_ESTIMATED,
  SANDBOX_END_ABANDONED,
  SANDBOX_END_LOST,
} from '../semconv';
import { type Clock, scheduleAt } from './clock';

/**
 * The attribute names an interval span is written with. The generic
 * `agentburn.compute.*` shape by default; E2B keeps its own `e2b.sandbox.*`
 * names (CONVENTIONS §4). A name left out is not written.
 */
export interface ComputeIntervalNames {
  provider?: string;
  sandboxId: string;
  vcpu: string;
  memoryMib: string;
  diskGib?: string;
  creations?: string;
  billedSeconds: string;
  endReason: string;
  /** Seconds spent inside operations (`enter`); not tracked when left out. */
  activeSeconds?: string;
}

export const COMPUTE_INTERVAL_NAMES: ComputeIntervalNames = {
  provider: ATTR_COMPUTE_PROVIDER,
  sandboxId: ATTR_COMPUTE_SANDBOX_ID,
  vcpu: ATTR_COMPUTE_VCPU,
  memoryMib: ATTR_COMPUTE_MEMORY_MIB,
  diskGib: ATTR_COMPUTE_DISK_GIB,
  creations: ATTR_COMPUTE_CREATIONS,
  billedSeconds: ATTR_COMPUTE_BILLED_SECONDS,
  endReason: ATTR_COMPUTE_END_REASON,
};

/** Allocated size of a sandbox. */
export interface ComputeSize {
  vcpu?: number;
  memoryMib?: number;
  diskGib?: number;
}

export interface ComputeIntervalStart {
  /** The caller's context at create or start: the interval span's parent. */
  parent: Context;
  startMs: number;
  size?: ComputeSize;
  /** The interval begins with the sandbox's creation (providers that bill creations count it). */
  created?: boolean;
  /** More attributes for the span's start (e.g. the template). */
  attributes?: Attributes;
}

/** How an interval ended, as its observer is told just before its span ends. */
export interface ComputeIntervalEnd {
  reason: string;
  billedSeconds: number;
  /** Ended by its known expiry (the provider stopped it by itself). */
  expired: boolean;
}

/** Told when an interval opens and asked for extra attributes as it ends (usage sampling, budgets). */
export interface ComputeIntervalObserver {
  opened(id: string, startMs: number): void;
  closing(id: string, end: ComputeIntervalEnd): Attributes | undefined;
}

export interface ComputeIntervalsOptions {
  tracer: () => Tracer;
  clock: Clock;
  /** `agentburn.compute.provider`, lower case. */
  provider: string;
  /** Name of the interval spans, e.g. `daytona.sandbox`. */
  spanName: string;
  /** Attribute names of the spans; the generic `agentburn.compute.*` ones by default. */
  names?: ComputeIntervalNames;
  observer?: ComputeIntervalObserver;
  /** Where the first interval closed without a known end, per reason, is said: the instrumentation's diag logger. */
  warn?: (message: string) => void;
}

interface Open {
  span: Span;
  registryKey: string;
  startMs: number;
  size: ComputeSize;
  created: boolean;
  /** When the provider will stop the sandbox by itself, if we know; and how that end is named. */
  expiry?: { atMs: number; reason: string };
  cancelTimer: () => void;
  /** Time inside operations: ms counted, operations in flight, since when. */
  activeMs: number;
  inflight: number;
  activeSince: number;
  /** Stops following operations that outlive their call (background commands), when abandoned. */
  followers: Set<() => void>;
}

let instanceCounter = 0;

/**
 * Billed running intervals of one provider's sandboxes, keyed by sandbox id,
 * in the generic `agentburn.compute.*` shape: one span per interval, from
 * create or start until stop, delete, a known expiry, loss or shutdown.
 * At shutdown (core's open-interval registry) an open interval ends as
 * `abandoned`, billed to its known expiry, or to that moment when none is
 * known, and marked estimated. The first `abandoned` and the first `lost`
 * end are said through `warn`.
 */
export class ComputeIntervals {
  private readonly open = new Map<string, Open>();
  private readonly prefix: string;
  private readonly names: ComputeIntervalNames;
  /** End reasons (`abandoned`, `lost`) already said. */
  private readonly said = new Set<string>();
  private observerFailureSaid = false;

  constructor(private readonly options: ComputeIntervalsOptions) {
    this.prefix = `${options.provider}#${++instanceCounter}:`;
    this.names = options.names ?? COMPUTE_INTERVAL_NAMES;
  }

  now(): number {
    return this.options.clock.now();
  }

  isOpen(id: string): boolean {
    return this.open.has(id);
  }

  /** Opens an interval for `id`; a sandbox already running keeps the interval it has. */
  start(id: string, start: ComputeIntervalStart): void {
    const existing = this.open.get(id);
    if (existing) {
      if (start.size) existing.size = { ...existing.size, ...start.size };
      return;
    }
    const { names } = this;
    const attributes: Attributes = { [names.sandboxId]: id, ...start.attributes };
    if (names.provider) attributes[names.provider] = this.options.provider;
    const span = this.options
      .tracer()
      .startSpan(
        this.options.spanName,
        { kind: SpanKind.INTERNAL, startTime: new Date(start.startMs), attributes },
        start.parent,
      );
    const open: Open = {
      span,
      registryKey: this.prefix + id,
      startMs: start.startMs,
      size: { ...start.size },
      created: start.created === true,
      cancelTimer: noop,
      activeMs: 0,
      inflight: 0,
      activeSince: 0,
      followers: new Set(),
    };
    this.open.set(id, open);
    addOpenInterval(open.registryKey, () => this.end(id, SANDBOX_END_ABANDONED));
    try {
      this.options.observer?.opened(id, start.startMs);
    } catch (error) {
      this.sayObserverFailed(id, 'opened', error);
    }
  }

  /** Adds attributes to the open interval's span (facts learned after it opened). */
  annotate(id: string, attributes: Attributes): void {
    try {
      this.open.get(id)?.span.setAttributes(attributes);
    } catch {
      // a broken span must not break the caller
    }
  }

  /** Records the allocated size of a running sandbox (as the provider reported it). */
  setSize(id: string, size: ComputeSize): void {
    const open = this.open.get(id);
    if (open) open.size = { ...open.size, ...definedSize(size) };
  }

  /**
   * The provider will end the running sandbox by itself at `atMs` (a timeout,
   * an auto-stop after idling): the interval ends then as `reason`, unless a
   * later call moves it. `undefined` clears it (the sandbox runs until told).
   */
  setExpiry(id: string, expiry: { atMs: number; reason: string } | undefined): void {
    const open = this.open.get(id);
    if (!open) return;
    open.cancelTimer();
    open.cancelTimer = noop;
    open.expiry = expiry;
    if (expiry) {
      open.cancelTimer = scheduleAt(this.options.clock, expiry.atMs, () => {
        if (this.open.get(id) === open) this.close(id, expiry.reason, expiry.atMs, undefined, true);
      });
    }
  }

  /** The known expiry of `id`'s open interval, if any. */
  expiryOf(id: string): number | undefined {
    return this.open.get(id)?.expiry?.atMs;
  }

  /**
   * Seconds billed so far for the open interval of `id` (to now, or to its
   * known expiry if that came first); 0 when none is open.
   */
  openSeconds(id: string): number {
    const open = this.open.get(id);
    if (!open) return 0;
    const now = this.now();
    return billedSecondsBetween(open.startMs, Math.min(now, open.expiry?.atMs ?? now));
  }

  /**
   * Marks the start of an operation inside the sandbox; the returned function
   * marks its end. Overlapping operations count once.
   */
  enter(id: string): () => void {
    const open = this.open.get(id);
    if (!open) return noop;
    if (open.inflight++ === 0) open.activeSince = this.now();
    let left = false;
    return () => {
      if (left) return;
      left = true;
      if (this.open.get(id) !== open) return;
      if (--open.inflight === 0) open.activeMs += Math.max(0, this.now() - open.activeSince);
    };
  }

  /**
   * Registers `stop` to run if the open interval of `id` is abandoned: at
   * shutdown, an operation still followed (a background command) ends with
   * it, so its span is exported. Returns the unregistration.
   */
  follow(id: string, stop: () => void): () => void {
    const open = this.open.get(id);
    if (!open) return noop;
    open.followers.add(stop);
    return () => open.followers.delete(stop);
  }

  /**
   * Ends the open interval of `id` as `reason`, observed at `atMs`. Billing
   * stops there, or at the known expiry if that came first; `abandoned` bills
   * to the expiry (the sandbox runs on after we go). `extra` adds attributes
   * the provider reported at the end (e.g. measured CPU time).
   */
  end(id: string, reason: string, atMs = this.now(), extra?: Attributes): void {
    this.close(id, reason, atMs, extra, false);
  }

  private close(id: string, reason: string, atMs: number, extra: Attributes | undefined, expired: boolean): void {
    const open = this.open.get(id);
    if (!open) return;
    this.open.delete(id);
    open.cancelTimer();
    removeOpenInterval(open.registryKey);
    const { names } = this;
    const expiry = open.expiry?.atMs;
    const abandoned = reason === SANDBOX_END_ABANDONED;
    const billedEnd = abandoned ? (expiry ?? atMs) : Math.min(atMs, expiry ?? atMs);
    const billed = billedSecondsBetween(open.startMs, billedEnd);
    const attributes: Attributes = { [names.billedSeconds]: billed, [names.endReason]: reason };
    if (names.activeSeconds) {
      if (open.inflight > 0) open.activeMs += Math.max(0, Math.min(atMs, expiry ?? atMs) - open.activeSince);
      attributes[names.activeSeconds] = Math.round(open.activeMs) / 1000;
    }
    open.inflight = 0;
    const { vcpu, memoryMib, diskGib } = open.size;
    if (vcpu !== undefined) attributes[names.vcpu] = vcpu;
    if (memoryMib !== undefined) attributes[names.memoryMib] = memoryMib;
    if (diskGib !== undefined && names.diskGib) attributes[names.diskGib] = diskGib;
    if (open.created && names.creations) attributes[names.creations] = 1;
    // The end was not observed: billed to the expiry (abandoned) or to when the loss was found (lost).
    if (abandoned || reason === SANDBOX_END_LOST) attributes[ATTR_COST_ESTIMATED] = true;
    try {
      const observed = this.options.observer?.closing(id, { reason, billedSeconds: billed, expired });
      if (observed) Object.assign(attributes, observed);
    } catch (error) {
      // The interval still ends, with what we know of it.
      this.sayObserverFailed(id, 'ended', error);
    }
    try {
      if (extra) Object.assign(attributes, extra);
      open.span.setAttributes(attributes);
      open.span.end(new Date(Math.max(abandoned ? atMs : billedEnd, open.startMs)));
    } catch {
      // a broken span must not break the caller
    }
    if (abandoned || reason === SANDBOX_END_LOST) this.sayUnknownEnd(id, reason, expiry);
    const followers = abandoned ? [...open.followers] : [];
    open.followers.clear();
    for (const stop of followers) {
      try {
        stop();
      } catch {
        // one broken follower must not keep the others open
      }
    }
  }

  /**
   * The first interval closed without a known end, per reason, is said; the
   * others carry it on their spans (end reason, `agentburn.cost.estimated`).
   */
  private sayUnknownEnd(id: string, reason: string, expiry: number | undefined): void {
    if (this.said.has(reason) || !this.options.warn) return;
    this.said.add(reason);
    const why =
      reason === SANDBOX_END_LOST
        ? 'stopped without being seen to stop: its interval ends as lost, billed to when that was found'
        : `was still running with no known end (shut down, or its state is unknown): its interval ends as abandoned, billed ${expiry === undefined ? 'to this moment' : 'to its known expiry'}`;
    try {
      this.options.warn(
        `${this.options.provider} sandbox ${id} ${why}, and its cost is marked estimated (later ${reason} intervals are not reported again)`,
      );
    } catch {
      // saying it must not break the caller
    }
  }

  /** The first observer failure is said; the intervals go on (and end) without what it would have added. */
  private sayObserverFailed(id: string, when: 'opened' | 'ended', error: unknown): void {
    if (this.observerFailureSaid || !this.options.warn) return;
    this.observerFailureSaid = true;
    try {
      this.options.warn(
        `${this.options.provider} sandbox ${id}: following its interval (usage sampling, budgets) failed as it ${when} ` +
          `(${describe(error)}); the interval is still recorded, without what that adds (later failures are not reported again)`,
      );
    } catch {
      // saying it must not break the caller
    }
  }

  /** Ends every open interval as `abandoned` (also done through core's registry at provider shutdown). */
  abandonAll(): void {
    for (const id of [...this.open.keys()]) this.end(id, SANDBOX_END_ABANDONED);
  }
}

/**
 * Sandboxes are billed per second: whole seconds, a started second rounded
 * up (an upper bound within one second per interval).
 */
export function billedSecondsBetween(startMs: number, endMs: number): number {
  return Math.ceil(Math.max(0, endMs - startMs) / 1000);
}

function definedSize(size: ComputeSize): ComputeSize {
  const out: ComputeSize = {};
  for (const key of ['vcpu', 'memoryMib', 'diskGib'] as const) {
    const value = size[key];
    if (typeof value === 'number' && Number.isFinite(value) && value >= 0) out[key] = value;
  }
  return out;
}

function describe(error: unknown): string {
  try {
    return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  } catch {
    return 'an unprintable error';
  }
}

function noop(): void {}
