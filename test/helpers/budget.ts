import { ATTR_BUDGET_ACTION, ATTR_BUDGET_STATUS, EVENT_BUDGET_EXCEEDED, EVENT_BUDGET_WARNING } from '@agentburn/core';
import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';

let contextReady = false;
/** Budgets travel in the OpenTelemetry context: tests need a real async context manager. */
export function ensureContextManager(): void {
  if (contextReady) return;
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  contextReady = true;
}

/** The ended `budget {name}` span among `spans`. */
export function budgetSpan(spans: readonly ReadableSpan[], name = 'task'): ReadableSpan {
  const span = spans.find((s) => s.name === `budget ${name}`);
  if (!span) throw new Error(`no span "budget ${name}" among ${spans.map((s) => s.name).join(', ')}`);
  return span;
}

/** The scope span's status, and the actions of its exceeded events and thresholds of its warnings, in order. */
export function budgetStory(span: ReadableSpan): { status: unknown; exceeded: unknown[]; warnings: unknown[] } {
  return {
    status: span.attributes[ATTR_BUDGET_STATUS],
    exceeded: span.events
      .filter((e) => e.name === EVENT_BUDGET_EXCEEDED)
      .map((e) => e.attributes?.[ATTR_BUDGET_ACTION]),
    warnings: span.events
      .filter((e) => e.name === EVENT_BUDGET_WARNING)
      .map((e) => e.attributes?.['agentburn.budget.threshold']),
  };
}
