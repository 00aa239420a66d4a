import { createRequire } from 'node:module';
import { SPAN_E2B_SANDBOX } from '@agentburn/core';
import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import type { BasicTracerProvider, InMemorySpanExporter, ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { ManualClock } from '../../../test/fakes/e2b-clock';
import { inMemoryCostTracing } from '../../../test/helpers/tracing';
import { E2BInstrumentation, type E2BInstrumentationConfig } from '../src';

/**
 * Loads the real SDKs through `require`, after the instrumentation is
 * enabled, so the require hook patches them (vitest's import path bypasses it).
 */
export function requireSdk(): { e2b: typeof import('e2b'); ci: typeof import('@e2b/code-interpreter') } {
  const require = createRequire(import.meta.url);
  return { ci: require('@e2b/code-interpreter'), e2b: require('e2b') };
}

export interface Tracing {
  clock: ManualClock;
  exporter: InMemorySpanExporter;
  provider: BasicTracerProvider;
  instrumentation: E2BInstrumentation;
  tracer: ReturnType<BasicTracerProvider['getTracer']>;
  spans(name?: string): ReadableSpan[];
  /** The `e2b.sandbox` interval spans ended so far. */
  intervals(): ReadableSpan[];
}

/**
 * The instrumentation on a manual clock, with the CostSpanProcessor ahead of
 * the exporting processor (as `register()` orders them) and a real async
 * context manager, so parents carry across awaits.
 */
export function setupTracing(config: E2BInstrumentationConfig = {}): Tracing {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  const clock = new ManualClock();
  const { exporter, provider } = inMemoryCostTracing();
  const instrumentation = new E2BInstrumentation({ clock, ...config });
  instrumentation.setTracerProvider(provider);
  instrumentation.enable();
  const spans = (name?: string) => exporter.getFinishedSpans().filter((s) => name === undefined || s.name === name);
  return {
    clock,
    exporter,
    provider,
    instrumentation,
    tracer: provider.getTracer('test'),
    spans,
    intervals: () => spans(SPAN_E2B_SANDBOX),
  };
}

/** Per-second compute price of a size at E2B's default rates, as CONVENTIONS §4 writes it. */
export function usdPerSecond(cpuCount: number, memoryMib: number): number {
  return cpuCount * 0.000014 + (memoryMib / 1024) * 0.0000045;
}
