import { type Context, context, diag, SpanKind, type Tracer, trace } from '@opentelemetry/api';
import { SpanFinisher } from '../instrument/span-finisher';
import { CORE_SCOPE_NAME } from '../metrics';
import { SPAN_BUDGET_PREFIX } from '../semconv';
import { BUDGET_KEY, type BudgetOptions, BudgetScope, type BudgetSnapshot, budgetScopeOf } from './scope';

export interface WithBudgetOptions extends BudgetOptions {
  /** Tracer for the scope span. Default: the global provider's `@agentburn/core` tracer. */
  tracer?: Tracer;
}

/**
 * Runs `fn` under a budget: every LLM call and sandbox it starts (through
 * the agentburn instrumentations, in any async work that keeps the
 * OpenTelemetry context) counts against `limitUsd`, and a call whose worst
 * case would cross it is refused before it is sent. Scopes nest; the
 * tightest enclosing limit decides. `fn` runs inside an INTERNAL span
 * `budget {name}`; its value or error passes through unchanged.
 *
 * Throws a RangeError for a limit that is not a finite number >= 0.
 */
export function withBudget<T>(options: WithBudgetOptions, fn: () => T): T {
  validate(options);
  const tracer = options.tracer ?? trace.getTracer(CORE_SCOPE_NAME);
  const name = options.name ?? 'task';
  return tracer.startActiveSpan(`${SPAN_BUDGET_PREFIX} ${name}`, { kind: SpanKind.INTERNAL }, (span) => {
    const scope = new BudgetScope({ ...options, name }, budgetScopeOf(context.active()), span);
    const finisher = new SpanFinisher(span);
    const end = (error?: unknown) => {
      const attributes = scope.endAttributes();
      if (error === undefined) finisher.end(attributes);
      else finisher.fail(error, attributes);
    };
    let result: T;
    try {
      result = context.with(context.active().setValue(BUDGET_KEY, scope), fn);
    } catch (error) {
      end(error);
      throw error;
    }
    if (!isPromiseLike(result)) {
      end();
      return result;
    }
    if (result instanceof Promise && result.constructor !== Promise) {
      // An SDK's promise subclass keeps its methods: the caller gets that very object, watched on the side.
      result.then(
        () => end(),
        (error: unknown) => end(error),
      );
      return result;
    }
    // Chained, so a rejection nobody handles is still reported as unhandled, as without the budget.
    return result.then(
      (value) => {
        end();
        return value;
      },
      (error: unknown) => {
        end(error);
        throw error;
      },
    ) as T;
  });
}

/** The innermost budget scope active here, or undefined. */
export function currentBudget(): BudgetSnapshot | undefined {
  return activeBudgetScope(context.active())?.snapshot();
}

// --- One budget per local root trace (`AGENTBURN_BUDGET_USD`) ---------------

let traceBudget: BudgetOptions | undefined;
/** Scopes of the traces seen under the per-trace budget, oldest first; bounded. */
const traceScopes = new Map<string, BudgetScope>();
const MAX_TRACE_SCOPES = 10_000;

/**
 * Puts every trace not already inside `withBudget` under its own budget of
 * `options` (undefined turns this off). A trace is the unit of one task: an
 * LLM call made outside any span is a trace of its own. `@agentburn/node`
 * calls this for `AGENTBURN_BUDGET_USD`.
 */
export function setTraceBudget(options: BudgetOptions | undefined): void {
  if (options !== undefined) validate(options);
  traceBudget = options === undefined ? undefined : { name: 'trace', ...options };
  traceScopes.clear();
}

/** The scope that governs a call started in `ctx`: the innermost `withBudget`, else the trace's budget. */
export function activeBudgetScope(ctx: Context): BudgetScope | undefined {
  const scope = budgetScopeOf(ctx);
  if (scope !== undefined || traceBudget === undefined) return scope;
  const traceId = trace.getSpanContext(ctx)?.traceId;
  if (traceId === undefined) return new BudgetScope(traceBudget, undefined, undefined);
  let traceScope = traceScopes.get(traceId);
  if (traceScope === undefined) {
    traceScope = new BudgetScope(traceBudget, undefined, undefined);
    traceScopes.set(traceId, traceScope);
    if (traceScopes.size > MAX_TRACE_SCOPES) {
      const oldest = traceScopes.keys().next().value;
      if (oldest !== undefined) traceScopes.delete(oldest);
    }
  }
  return traceScope;
}

function validate(options: BudgetOptions): void {
  const { limitUsd } = options;
  if (typeof limitUsd !== 'number' || !Number.isFinite(limitUsd) || limitUsd < 0) {
    throw new RangeError(`budget limitUsd must be a finite number >= 0, got ${String(limitUsd)}`);
  }
  for (const fraction of options.warnAt ?? []) {
    if (typeof fraction !== 'number' || !(fraction > 0)) {
      throw new RangeError(`budget warnAt fractions must be numbers > 0, got ${String(fraction)}`);
    }
  }
  if (options.onExceed !== undefined && options.onExceed !== 'throw' && options.onExceed !== 'warn') {
    throw new RangeError(`budget onExceed must be 'throw' or 'warn', got ${String(options.onExceed)}`);
  }
  if (options.sandboxes !== undefined && !['keep', 'pause', 'kill'].includes(options.sandboxes)) {
    throw new RangeError(`budget sandboxes must be 'keep', 'pause' or 'kill', got ${String(options.sandboxes)}`);
  }
  if (options.unpricedModels !== undefined && !['allow', 'refuse'].includes(options.unpricedModels)) {
    diag.warn(`agentburn budget: unpricedModels must be 'allow' or 'refuse'; using 'allow'`);
  }
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}
