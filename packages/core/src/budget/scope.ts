import { type Attributes, type Context, createContextKey, diag, type Span } from '@opentelemetry/api';
import {
  ATTR_BUDGET_ACTION,
  ATTR_BUDGET_LIMIT_USD,
  ATTR_BUDGET_PROJECTED_USD,
  ATTR_BUDGET_REFUSED,
  ATTR_BUDGET_REMAINING_USD,
  ATTR_BUDGET_SPENT_USD,
  ATTR_BUDGET_STATUS,
  ATTR_BUDGET_THRESHOLD,
  BUDGET_ACTION_KILLED,
  BUDGET_ACTION_PAUSED,
  BUDGET_STATUS_EXCEEDED,
  BUDGET_STATUS_OK,
  BUDGET_STATUS_WARNED,
  type BudgetStatus,
  EVENT_BUDGET_EXCEEDED,
  EVENT_BUDGET_WARNING,
} from '../semconv';

export type BudgetExceedAction = 'throw' | 'warn';
export type BudgetSandboxAction = 'keep' | 'pause' | 'kill';
export type UnpricedModelPolicy = 'allow' | 'refuse';

export interface BudgetOptions {
  /** The limit, in USD, over LLM calls and sandbox compute in the scope. */
  limitUsd: number;
  /** Names the scope and its span `budget {name}`. Default `task`. */
  name?: string;
  /** Fractions of the limit whose crossing is recorded once each. Default `[0.8]`. */
  warnAt?: number[];
  /** `throw` (default) refuses a spend that would cross the limit; `warn` records it and lets it through. */
  onExceed?: BudgetExceedAction;
  /** What happens to running sandboxes of the scope once its spend crosses the limit. Default `keep`. */
  sandboxes?: BudgetSandboxAction;
  /** Lower a request's output cap so its worst case fits, instead of refusing it. Default false. */
  clampOutput?: boolean;
  /** A call to a model without a known price cannot be projected: `allow` (default) or `refuse` it. */
  unpricedModels?: UnpricedModelPolicy;
  /** Output cap assumed for a request that sets none. Default 4096 tokens. */
  defaultMaxOutputTokens?: number;
  /** How often running sandboxes are checked against the limit, in ms. Default 1000. */
  sandboxCheckIntervalMs?: number;
}

/** What `currentBudget()` tells of the innermost scope, in USD. */
export interface BudgetSnapshot {
  name: string;
  limitUsd: number;
  spentUsd: number;
  reservedUsd: number;
  remainingUsd: number;
}

/** A running sandbox counted against the scopes it started in. */
export interface SandboxMeter {
  /** Compute accrued so far, in USD, growing with the sandbox's running time. */
  accruedUsd(): number;
  /** Pauses or kills the sandbox (once; later calls do nothing). */
  stop(action: 'pause' | 'kill'): void;
  /** Span name of what gets stopped, for the event (`e2b.sandbox`). */
  readonly name: string;
}

export const DEFAULT_BUDGET_NAME = 'task';
export const DEFAULT_WARN_AT: readonly number[] = [0.8];
export const DEFAULT_MAX_OUTPUT_TOKENS = 4096;
export const DEFAULT_SANDBOX_CHECK_INTERVAL_MS = 1000;
/** Events a scope without a span keeps until a span comes to record them on. */
const MAX_PENDING_EVENTS = 16;
/** Whether dropping a pending event has been said: once per process, as every loss. */
let pendingEventDropSaid = false;
/** Float sums of per-token prices drift in the last digits: a spend that fits to this much fits. */
const EPSILON_USD = 1e-12;

export const BUDGET_KEY = createContextKey('agentburn.budget');

export function budgetScopeOf(ctx: Context): BudgetScope | undefined {
  return ctx.getValue(BUDGET_KEY) as BudgetScope | undefined;
}

/**
 * One budget: a limit over the spend of everything started inside it, and
 * of every scope nested in it. Settled spend and reservations are applied to
 * the whole chain, so the tightest enclosing limit decides.
 */
export class BudgetScope {
  readonly name: string;
  readonly limitUsd: number;
  readonly onExceed: BudgetExceedAction;
  readonly sandboxes: BudgetSandboxAction;
  readonly clampOutput: boolean;
  readonly unpricedModels: UnpricedModelPolicy;
  readonly defaultMaxOutputTokens: number;
  readonly sandboxCheckIntervalMs: number;
  /** This scope and every enclosing one, innermost first. */
  readonly chain: readonly BudgetScope[];
  reservedUsd = 0;
  private settledUsd = 0;
  private status: BudgetStatus = BUDGET_STATUS_OK;
  private readonly warnAt: number[];
  private warningsRecorded = 0;
  private readonly meters = new Set<SandboxMeter>();
  private sandboxesStopped = false;
  /** Events of a scope without a span, waiting for a span to land on (bounded). */
  private pendingEvents: Array<[string, Attributes]> | undefined;

  constructor(
    options: BudgetOptions,
    readonly parent: BudgetScope | undefined,
    /** The scope's span; absent for the per-trace budgets of `@agentburn/node`, which wrap no function. */
    readonly span: Span | undefined,
  ) {
    this.name = options.name ?? DEFAULT_BUDGET_NAME;
    this.limitUsd = options.limitUsd;
    this.onExceed = options.onExceed ?? 'throw';
    this.sandboxes = options.sandboxes ?? 'keep';
    this.clampOutput = options.clampOutput === true;
    this.unpricedModels = options.unpricedModels === 'refuse' ? 'refuse' : 'allow';
    this.defaultMaxOutputTokens = options.defaultMaxOutputTokens ?? DEFAULT_MAX_OUTPUT_TOKENS;
    this.sandboxCheckIntervalMs = options.sandboxCheckIntervalMs ?? DEFAULT_SANDBOX_CHECK_INTERVAL_MS;
    this.warnAt = [...(options.warnAt ?? DEFAULT_WARN_AT)].sort((a, b) => a - b);
    this.chain = parent ? [this, ...parent.chain] : [this];
    span?.setAttribute(ATTR_BUDGET_LIMIT_USD, this.limitUsd);
  }

  /** Settled spend plus what running sandboxes have accrued so far. */
  spentUsd(): number {
    let spent = this.settledUsd;
    for (const meter of this.meters) spent += meter.accruedUsd();
    return spent;
  }

  remainingUsd(): number {
    return this.limitUsd - this.spentUsd() - this.reservedUsd;
  }

  /** Would `projectedUsd` more fit under this scope's limit? */
  fits(projectedUsd: number): boolean {
    return this.spentUsd() + this.reservedUsd + projectedUsd <= this.limitUsd + EPSILON_USD;
  }

  /** No spend at all fits any more. */
  exhausted(): boolean {
    return this.spentUsd() + this.reservedUsd >= this.limitUsd - EPSILON_USD;
  }

  snapshot(): BudgetSnapshot {
    const spentUsd = this.spentUsd();
    return {
      name: this.name,
      limitUsd: this.limitUsd,
      spentUsd,
      reservedUsd: this.reservedUsd,
      remainingUsd: this.limitUsd - spentUsd - this.reservedUsd,
    };
  }

  // --- Changes applied to the whole chain -----------------------------------

  reserve(usd: number): void {
    for (const scope of this.chain) scope.reservedUsd += usd;
  }

  /**
   * Replaces a reservation by the call's actual cost (0 when it failed
   * unbilled). `eventSpan`: where a scope without a span of its own records
   * the thresholds this crosses (the call's span, still open).
   */
  settle(reservedUsd: number, actualUsd: number, eventSpan?: Span): void {
    for (const scope of this.chain) {
      const left = scope.reservedUsd - reservedUsd;
      // Sums and differences of float prices leave dust when every reservation is back: that is 0.
      scope.reservedUsd = left > EPSILON_USD ? left : 0;
      scope.settledUsd += actualUsd;
    }
    for (const scope of this.chain) scope.check(eventSpan);
  }

  addMeter(meter: SandboxMeter): void {
    for (const scope of this.chain) scope.meters.add(meter);
  }

  /** A sandbox stopped running: its live accrual becomes the interval's priced cost. */
  removeMeter(meter: SandboxMeter, finalUsd: number): void {
    for (const scope of this.chain) {
      if (scope.meters.delete(meter)) scope.settledUsd += finalUsd;
    }
    for (const scope of this.chain) scope.check();
  }

  // --- Telemetry and enforcement of one scope --------------------------------

  /** Records newly crossed `warnAt` fractions, and stops sandboxes once the limit is crossed if told to. */
  check(eventSpan?: Span): void {
    const spent = this.spentUsd();
    for (let threshold = this.warnAt[this.warningsRecorded]; threshold !== undefined; ) {
      if (spent < threshold * this.limitUsd) break;
      this.warningsRecorded++;
      this.raise(BUDGET_STATUS_WARNED);
      this.event(
        EVENT_BUDGET_WARNING,
        {
          [ATTR_BUDGET_THRESHOLD]: threshold,
          [ATTR_BUDGET_SPENT_USD]: spent,
          [ATTR_BUDGET_LIMIT_USD]: this.limitUsd,
        },
        eventSpan,
      );
      threshold = this.warnAt[this.warningsRecorded];
    }
    if (spent < this.limitUsd - EPSILON_USD || this.sandboxes === 'keep' || this.sandboxesStopped) return;
    if (this.meters.size === 0) return;
    this.sandboxesStopped = true;
    const action = this.sandboxes;
    for (const meter of [...this.meters]) {
      this.exceeded(meter.name, 0, action === 'pause' ? BUDGET_ACTION_PAUSED : BUDGET_ACTION_KILLED, eventSpan);
      try {
        meter.stop(action);
      } catch (error) {
        diag.warn(`agentburn budget "${this.name}": could not ${action} a sandbox: ${String(error)}`);
      }
    }
  }

  /** Records a spend refused, let through, or a sandbox stopped, on this scope (see `event` for `eventSpan`). */
  exceeded(refused: string, projectedUsd: number, action: string, eventSpan?: Span): void {
    this.raise(BUDGET_STATUS_EXCEEDED);
    this.event(
      EVENT_BUDGET_EXCEEDED,
      {
        [ATTR_BUDGET_REFUSED]: refused,
        [ATTR_BUDGET_ACTION]: action,
        [ATTR_BUDGET_PROJECTED_USD]: projectedUsd,
        [ATTR_BUDGET_REMAINING_USD]: this.remainingUsd(),
      },
      eventSpan,
    );
  }

  /** What the scope span says as `fn` ends: the spend so far and the status. */
  endAttributes(): Attributes {
    return { [ATTR_BUDGET_SPENT_USD]: this.spentUsd(), [ATTR_BUDGET_STATUS]: this.status };
  }

  private raise(status: BudgetStatus): void {
    if (this.status === BUDGET_STATUS_EXCEEDED) return;
    this.status = status;
  }

  /**
   * Records an event on the scope span. A per-trace budget has none: its
   * events go on `eventSpan`, the span of the call or sandbox operation that
   * caused them, while it is open; without one (a sandbox's compute crossing
   * a threshold on a timer), they wait for the next span the scope sees.
   */
  private event(name: string, attributes: Attributes, eventSpan?: Span): void {
    const target = this.span ?? eventSpan;
    if (target === undefined) {
      const pending = (this.pendingEvents ??= []);
      if (pending.length < MAX_PENDING_EVENTS) pending.push([name, attributes]);
      else if (!pendingEventDropSaid) {
        pendingEventDropSaid = true;
        diag.warn(
          `agentburn budget "${this.name}": more than ${MAX_PENDING_EVENTS} budget events waited for a span to land on; ` +
            `"${name}" and later ones are dropped (their figures stay on the spans' agentburn.budget.* attributes)`,
        );
      }
      return;
    }
    try {
      const pending = this.pendingEvents;
      this.pendingEvents = undefined;
      for (const [earlier, earlierAttributes] of pending ?? []) target.addEvent(earlier, earlierAttributes);
      target.addEvent(name, attributes);
    } catch {
      // telemetry never breaks the guard
    }
  }
}
