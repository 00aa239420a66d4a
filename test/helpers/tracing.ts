import { CostSpanProcessor } from '@agentburn/core';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';

/**
 * A tracer provider exporting to memory, with the CostSpanProcessor ahead of
 * the exporting processor, as `register()` orders them. `extra` processors
 * run after both. No global provider is set.
 */
export function inMemoryCostTracing(extra: SpanProcessor[] = []): {
  exporter: InMemorySpanExporter;
  provider: BasicTracerProvider;
} {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    spanProcessors: [new CostSpanProcessor(), new SimpleSpanProcessor(exporter), ...extra],
  });
  return { exporter, provider };
}

/** Resolves once `count` spans have ended, or rejects after a generous bound (a test failure, not a wait). */
export async function waitForSpans(
  exporter: InMemorySpanExporter,
  count: number,
  boundMs = 5000,
): Promise<ReadableSpan[]> {
  const deadline = Date.now() + boundMs;
  while (exporter.getFinishedSpans().length < count) {
    if (Date.now() > deadline)
      throw new Error(`expected ${count} ended spans, got ${exporter.getFinishedSpans().length}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
  return exporter.getFinishedSpans();
}
