import { CostSpanProcessor } from '@agentburn/core';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
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
