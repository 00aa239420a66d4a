import { type Context, context } from '@opentelemetry/api';
import type { SpanFinisher } from '../instrument/span-finisher';
import { BUDGET_ACTION_ALLOWED, BUDGET_ACTION_REFUSED } from '../semconv';
import { exceededError } from './llm-guard';
import { budgetPricers } from './pricers';
import { sayFailure } from './say';
import type { BudgetScope, SandboxMeter } from './scope';
import { activeBudgetScope } from './with-budget';

/**
 * The budget check of a sandbox operation (`Sandbox.create`, `runCode`,
 * `commands.run`): once a scope is spent (settled spend, live sandbox
 * compute and reservations reach its limit), the operation is refused.
 * Returns a rejected promise of BudgetExceededError to hand the caller
 * instead of calling the SDK (the span has then failed with it), or
 * undefined to go on. Never throws.
 */
export function admitSandboxOperation(finisher: SpanFinisher, name: string): Promise<never> | undefined {
  const scope = activeBudgetScope(context.active());
  if (scope === undefined) return undefined;
  try {
    for (const s of scope.chain) s.spanSeen(finisher.span);
    const spent = scope.chain.filter((s) => s.exhausted());
    if (spent.length === 0) return undefined;
    const refusing = spent.filter((s) => s.onExceed === 'throw');
    for (const s of spent) {
      s.exceeded(name, 0, s.onExceed === 'throw' ? BUDGET_ACTION_REFUSED : BUDGET_ACTION_ALLOWED, finisher.span);
    }
    if (refusing.length === 0) return undefined;
    const error = exceededError(refusing, name, 0);
    finisher.fail(error);
    return Promise.reject(error);
  } catch (error) {
    sayFailure('the sandbox check failed, the operation goes on unchecked', error);
    return undefined;
  }
}

/** The clock a sandbox instrumentation bills by (tests move theirs by hand). */
export interface BudgetClock {
  now(): number;
  setTimeout?(fn: () => void, ms: number): unknown;
  clearTimeout?(handle: unknown): void;
}

export interface MeteredSandbox {
  /** Compute provider whose rates apply (`e2b`). */
  provider: string;
  /** Span name of the running interval, for the scope's events. */
  name: string;
  clock: BudgetClock;
  /** When the sandbox started running, on `clock`. */
  startMs: number;
  /** Allocated size; may become known after start (a size lookup). */
  size(): { vcpu: number; memoryMib: number } | undefined;
  /** Pauses or kills the sandbox through the SDK. */
  stop(action: 'pause' | 'kill'): void;
}

/** A running sandbox counted against its budget; `end` when it stops running. */
export interface SandboxBudgetMeter {
  /** The interval ended after `billedSeconds`: its live accrual becomes its priced cost. */
  end(billedSeconds: number): void;
}

/**
 * Counts a sandbox that starts running in `parent` against the budget
 * active there: it accrues its per-second rate live (billed per started
 * second, as its interval span will be), and a timer on the sandbox's clock
 * that never keeps the process alive checks the limit every
 * `sandboxCheckIntervalMs`, so a scope told to pause or kill its sandboxes
 * does so soon after the limit is crossed. Undefined when no budget is active.
 */
export function meterSandbox(parent: Context, sandbox: MeteredSandbox): SandboxBudgetMeter | undefined {
  const scope = activeBudgetScope(parent);
  if (scope === undefined) return undefined;
  try {
    return new RunningSandbox(scope, sandbox);
  } catch (error) {
    sayFailure('a sandbox could not be metered', error);
    return undefined;
  }
}

class RunningSandbox implements SandboxMeter, SandboxBudgetMeter {
  readonly name: string;
  private ended = false;
  private stopped = false;
  private cancelTimer: () => void = () => {};

  constructor(
    private readonly scope: BudgetScope,
    private readonly sandbox: MeteredSandbox,
  ) {
    this.name = sandbox.name;
    scope.addMeter(this);
    this.schedule();
  }

  accruedUsd(): number {
    const seconds = Math.ceil(Math.max(0, this.sandbox.clock.now() - this.sandbox.startMs) / 1000);
    return this.costOf(seconds);
  }

  stop(action: 'pause' | 'kill'): void {
    if (this.stopped || this.ended) return;
    this.stopped = true;
    this.sandbox.stop(action);
  }

  end(billedSeconds: number): void {
    if (this.ended) return;
    this.ended = true;
    this.cancelTimer();
    this.scope.removeMeter(this, this.costOf(billedSeconds));
  }

  private costOf(billedSeconds: number): number {
    const size = this.sandbox.size();
    if (size === undefined) return 0;
    const result = budgetPricers().compute.price({
      provider: this.sandbox.provider,
      vcpu: size.vcpu,
      memoryMib: size.memoryMib,
      billedSeconds,
      estimated: false,
      issues: [],
    });
    return typeof result.totalUsd === 'number' ? result.totalUsd : 0;
  }

  private schedule(): void {
    const { clock } = this.sandbox;
    const tick = () => {
      if (this.ended) return;
      for (const s of this.scope.chain) s.check();
      this.schedule();
    };
    const ms = this.scope.sandboxCheckIntervalMs;
    if (clock.setTimeout) {
      const handle = clock.setTimeout(tick, ms);
      (handle as { unref?: () => void } | undefined)?.unref?.();
      this.cancelTimer = () => clock.clearTimeout?.(handle);
    } else {
      const handle = setTimeout(tick, ms);
      handle.unref();
      this.cancelTimer = () => clearTimeout(handle);
    }
  }
}
