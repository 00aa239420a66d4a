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
}

/** Told when an interval opens and asked for extra attributes as it ends (usage sampling). */
export interface ComputeIntervalObserver {
  opened(id: string, startMs: number): void;
  closing(id: string): Attributes;
}

export interface ComputeIntervalsOptions {
  tracer: () => Tracer;
  clock: Clock;
  /** `agentburn.compute.provider`, lower case. */
  provider: string;
  /** Name of the interval spans, e.g. `daytona.sandbox`. */
  spanName: string;
  observer?: ComputeIntervalObserver;
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
}

let instanceCounter = 0;

/**
 * Billed running intervals of one provider's sandboxes, keyed by sandbox id,
 * in the generic `agentburn.compute.*` shape: one span per interval, from
 * create or start until stop, delete, a known expiry, loss or shutdown.
 * At shutdown (core's open-interval registry) an open interval ends as
 * `abandoned`, billed to its known expiry, or to that moment when none is
 * known, and marked estimated.
 */
export class ComputeIntervals {
  private readonly open = new Map<string, Open>();
  private readonly prefix: string;

  constructor(private readonly options: ComputeIntervalsOptions) {
    this.prefix = `${options.provider}#${++instanceCounter}:`;
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
    const attributes: Attributes = {
      [ATTR_COMPUTE_PROVIDER]: this.options.provider,
      [ATTR_COMPUTE_SANDBOX_ID]: id,
    };
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
    };
    this.open.set(id, open);
    addOpenInterval(open.registryKey, () => this.end(id, SANDBOX_END_ABANDONED));
    this.options.observer?.opened(id, start.startMs);
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
        if (this.open.get(id) === open) this.end(id, expiry.reason, expiry.atMs);
      });
    }
  }

  /** The known expiry of `id`'s open interval, if any. */
  expiryOf(id: string): number | undefined {
    return this.open.get(id)?.expiry?.atMs;
  }

  /**
   * Ends the open interval of `id` as `reason`, observed at `atMs`. Billing
   * stops there, or at the known expiry if that came first; `abandoned` bills
   * to the expiry (the sandbox runs on after we go). `extra` adds attributes
   * the provider reported at the end (e.g. measured CPU time).
   */
  end(id: string, reason: string, atMs = this.now(), extra?: Attributes): void {
    const open = this.open.get(id);
    if (!open) return;
    this.open.delete(id);
    open.cancelTimer();
    removeOpenInterval(open.registryKey);
    const expiry = open.expiry?.atMs;
    const abandoned = reason === SANDBOX_END_ABANDONED;
    const billedEnd = abandoned ? (expiry ?? atMs) : Math.min(atMs, expiry ?? atMs);
    const attributes: Attributes = {
      [ATTR_COMPUTE_BILLED_SECONDS]: Math.ceil(Math.max(0, billedEnd - open.startMs) / 1000),
      [ATTR_COMPUTE_END_REASON]: reason,
    };
    const { vcpu, memoryMib, diskGib } = open.size;
    if (vcpu !== undefined) attributes[ATTR_COMPUTE_VCPU] = vcpu;
    if (memoryMib !== undefined) attributes[ATTR_COMPUTE_MEMORY_MIB] = memoryMib;
    if (diskGib !== undefined) attributes[ATTR_COMPUTE_DISK_GIB] = diskGib;
    if (open.created) attributes[ATTR_COMPUTE_CREATIONS] = 1;
    if (abandoned || reason === SANDBOX_END_LOST) attributes[ATTR_COST_ESTIMATED] = true;
    try {
      if (this.options.observer) Object.assign(attributes, this.options.observer.closing(id));
      if (extra) Object.assign(attributes, extra);
      open.span.setAttributes(attributes);
      open.span.end(new Date(Math.max(abandoned ? atMs : billedEnd, open.startMs)));
    } catch {
      // a broken span must not break the caller
    }
  }

  /** Ends every open interval as `abandoned` (also done through core's registry at provider shutdown). */
  abandonAll(): void {
    for (const id of [...this.open.keys()]) this.end(id, SANDBOX_END_ABANDONED);
  }
}

function definedSize(size: ComputeSize): ComputeSize {
  const out: ComputeSize = {};
  for (const key of ['vcpu', 'memoryMib', 'diskGib'] as const) {
    const value = size[key];
    if (typeof value === 'number' && Number.isFinite(value) && value >= 0) out[key] = value;
  }
  return out;
}

function noop(): void {}
