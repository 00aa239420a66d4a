import { SpanStatusCode } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import {
  ATTR_BUDGET_LIMIT_USD,
  ATTR_BUDGET_SPENT_USD,
  ATTR_BUDGET_STATUS,
  admitLlmCall,
  BudgetExceededError,
  CostSpanProcessor,
  currentBudget,
  SpanFinisher,
  setTraceBudget,
  withBudget,
} from '../src';
import { BudgetScope } from '../src/budget/scope';
import { warningsOf } from './helpers/diag';
import { createTracing, ensureContextManager } from './helpers/otel';

ensureContextManager();

describe('withBudget', () => {
  it('rejects-a-limit-that-is-not-a-finite-number-at-or-above-zero', () => {
    for (const limitUsd of [-1, Number.NaN, Number.POSITIVE_INFINITY, '2' as unknown as number]) {
      expect(() => withBudget({ limitUsd }, () => 1)).toThrow(RangeError);
    }
    expect(() => withBudget({ limitUsd: 1, warnAt: [0] }, () => 1)).toThrow(RangeError);
  });

  it('returns-the-value-of-a-sync-fn-and-ends-its-span-ok', () => {
    const tracing = createTracing([new CostSpanProcessor()]);
    const tracer = tracing.provider.getTracer('t');
    expect(withBudget({ limitUsd: 2, name: 'sync', tracer }, () => currentBudget())).toEqual({
      name: 'sync',
      limitUsd: 2,
      spentUsd: 0,
      reservedUsd: 0,
      remainingUsd: 2,
    });
    const span = tracing.span('budget sync');
    expect(span.attributes).toMatchObject({
      [ATTR_BUDGET_LIMIT_USD]: 2,
      [ATTR_BUDGET_SPENT_USD]: 0,
      [ATTR_BUDGET_STATUS]: 'ok',
    });
    expect(currentBudget()).toBeUndefined();
  });

  it('passes-a-rejection-through-and-records-it-on-the-scope-span', async () => {
    const tracing = createTracing([]);
    const tracer = tracing.provider.getTracer('t');
    const error = new Error('task failed');
    await expect(withBudget({ limitUsd: 1, tracer }, async () => Promise.reject(error))).rejects.toBe(error);
    expect(tracing.span('budget task').status.code).toBe(SpanStatusCode.ERROR);
  });

  it('innermost-scope-is-current-and-scopes-end-with-fn', async () => {
    const tracing = createTracing([]);
    const tracer = tracing.provider.getTracer('t');
    const names = await withBudget({ limitUsd: 1, name: 'outer', tracer }, async () => {
      const inner = await withBudget({ limitUsd: 0.5, name: 'inner', tracer }, async () => currentBudget()?.name);
      return [inner, currentBudget()?.name];
    });
    expect(names).toEqual(['inner', 'outer']);
  });

  it('error-carries-code-and-figures', () => {
    const error = new BudgetExceededError({
      budgetName: 'task',
      limitUsd: 0.01,
      spentUsd: 0.004,
      reservedUsd: 0.001,
      projectedUsd: 0.006,
      refused: 'chat gpt-4o',
    });
    expect(error.code).toBe('AGENTBURN_BUDGET_EXCEEDED');
    expect(error.name).toBe('BudgetExceededError');
    expect(error.message).toBe(
      'budget "task" refused chat gpt-4o: it could cost up to $0.006000, $0.005000 left of $0.0100 (spent $0.004000, in flight $0.001000)',
    );
  });

  it('trace-budget-gives-each-trace-its-own-scope-and-turns-off', () => {
    const tracing = createTracing([]);
    const tracer = tracing.provider.getTracer('t');
    setTraceBudget({ limitUsd: 2 });
    try {
      const seen = tracer.startActiveSpan('root', (span) => {
        const budget = currentBudget();
        span.end();
        return budget;
      });
      expect(seen).toMatchObject({ name: 'trace', limitUsd: 2, spentUsd: 0 });
      // An explicit scope wins over the trace's.
      expect(withBudget({ limitUsd: 1, tracer }, () => currentBudget()?.limitUsd)).toBe(1);
    } finally {
      setTraceBudget(undefined);
    }
    expect(currentBudget()).toBeUndefined();
  });

  it('span-less-scope-keeps-its-events-for-the-next-span-it-sees', () => {
    // A per-trace budget has no span: a threshold crossed where no call span is
    // at hand (a sandbox's compute, on a timer) lands on the next span it is given.
    const tracing = createTracing([]);
    const tracer = tracing.tracer;
    const scope = new BudgetScope({ limitUsd: 1, warnAt: [0.5] }, undefined, undefined);
    scope.reserve(0.6);
    scope.settle(0.6, 0.6);
    const next = tracer.startSpan('next call');
    scope.exceeded('next call', 0.5, 'refused', next);
    next.end();
    expect(tracing.span('next call').events.map((e) => [e.name, e.attributes?.['agentburn.budget.threshold']])).toEqual(
      [
        ['agentburn.budget.warning', 0.5],
        ['agentburn.budget.exceeded', undefined],
      ],
    );
  });

  it('span-less-scope-says-once-when-it-drops-events-past-its-bound', () => {
    const tracing = createTracing([]);
    const warnAt = Array.from({ length: 20 }, (_, i) => (i + 1) / 100);
    const first = new BudgetScope({ limitUsd: 1, warnAt }, undefined, undefined);
    const second = new BudgetScope({ limitUsd: 1, warnAt }, undefined, undefined);
    const warnings = warningsOf(() => {
      first.reserve(0.5);
      first.settle(0.5, 0.5);
      second.reserve(0.5);
      second.settle(0.5, 0.5);
    });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('more than 16 budget events waited for a span');
    const next = tracing.tracer.startSpan('next call');
    first.exceeded('next call', 0.5, 'refused', next);
    next.end();
    const events = tracing.span('next call').events;
    expect(events).toHaveLength(17);
    expect(events[15]?.attributes?.['agentburn.budget.threshold']).toBe(0.16);
    expect(events[16]?.name).toBe('agentburn.budget.exceeded');
  });

  it('failed-budget-check-is-said-once-per-cause-and-the-calls-go-on', () => {
    const tracing = createTracing([]);
    const tracer = tracing.provider.getTracer('t');
    // A body the check cannot read: a revoked Proxy throws on every property read.
    const revoked = Proxy.revocable({}, {});
    revoked.revoke();
    const broken = {
      get messages(): never {
        throw new RangeError('messages are gone');
      },
    };
    const attributes = { 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'gpt-4o-mini' };
    const admissions: unknown[] = [];
    const warnings = warningsOf(() => {
      withBudget({ limitUsd: 1, tracer }, () => {
        for (const body of [revoked.proxy, revoked.proxy, broken, revoked.proxy, broken]) {
          const finisher = new SpanFinisher(tracer.startSpan('chat gpt-4o-mini'));
          admissions.push(
            admitLlmCall(finisher, { body, attributes, spanName: 'chat gpt-4o-mini', capField: 'max_tokens' }),
          );
          finisher.end();
        }
      });
    });
    // Each call goes on unchecked.
    expect(admissions).toEqual([undefined, undefined, undefined, undefined, undefined]);
    expect(tracing.exporter.spans.filter((s) => s.name === 'chat gpt-4o-mini')).toHaveLength(5);
    expect(warnings).toEqual([
      "agentburn budget: the check failed, the call goes on unchecked: TypeError: Cannot perform 'IsArray' on a proxy that has been revoked (later ones of this cause are not reported again)",
      'agentburn budget: the check failed, the call goes on unchecked: RangeError: messages are gone (later ones of this cause are not reported again)',
    ]);
  });
});
