import { createRequire } from 'node:module';
import type { BasicTracerProvider, InMemorySpanExporter, ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { inMemoryCostTracing } from '../../../test/helpers/tracing';
import { GoogleGenAIInstrumentation, type GoogleGenAIInstrumentationConfig } from '../src';

/**
 * Loads the real SDK through `require`, after the instrumentation is enabled,
 * so the require hook patches it (vitest's own import path bypasses it).
 */
export function requireSdk(): any {
  return createRequire(import.meta.url)('@google/genai');
}

export interface Tracing {
  exporter: InMemorySpanExporter;
  provider: BasicTracerProvider;
  instrumentation: GoogleGenAIInstrumentation;
  spans(): ReadableSpan[];
}

/** A tracer provider given to the instrumentation only, the CostSpanProcessor ahead of the exporting processor. */
export function setupTracing(config: GoogleGenAIInstrumentationConfig = {}): Tracing {
  const { exporter, provider } = inMemoryCostTracing();
  const instrumentation = new GoogleGenAIInstrumentation(config);
  instrumentation.setTracerProvider(provider);
  instrumentation.enable();
  return { exporter, provider, instrumentation, spans: () => exporter.getFinishedSpans() };
}

/** Resolves once `count` spans have ended, or rejects after a generous bound (a test failure, not a wait). */
export async function spansEnded(tracing: Tracing, count: number, boundMs = 5000): Promise<ReadableSpan[]> {
  const deadline = Date.now() + boundMs;
  while (tracing.spans().length < count) {
    if (Date.now() > deadline) throw new Error(`expected ${count} ended spans, got ${tracing.spans().length}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
  return tracing.spans();
}
