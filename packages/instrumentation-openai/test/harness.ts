import { createRequire } from 'node:module';
import { OpenAIInstrumentation, type OpenAIInstrumentationConfig } from '@agentburn/instrumentation-openai';
import type { Context } from '@opentelemetry/api';
import type {
  BasicTracerProvider,
  InMemorySpanExporter,
  ReadableSpan,
  Span,
  SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { inMemoryCostTracing } from '../../../test/helpers/tracing';

/** Resolves waiters when a given number of spans have ended. */
class EndedSpans implements SpanProcessor {
  readonly spans: ReadableSpan[] = [];
  private waiters: Array<{ count: number; resolve: () => void }> = [];
  onStart(_span: Span, _context: Context): void {}
  onEnd(span: ReadableSpan): void {
    this.spans.push(span);
    const ready = this.waiters.filter((w) => this.spans.length >= w.count);
    this.waiters = this.waiters.filter((w) => this.spans.length < w.count);
    for (const w of ready) w.resolve();
  }
  until(count: number): Promise<ReadableSpan[]> {
    if (this.spans.length >= count) return Promise.resolve(this.spans);
    return new Promise((resolve) => this.waiters.push({ count, resolve: () => resolve(this.spans) }));
  }
  forceFlush(): Promise<void> {
    return Promise.resolve();
  }
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

export interface Harness {
  instrumentation: OpenAIInstrumentation;
  exporter: InMemorySpanExporter;
  /** The tracer provider given to the instrumentation. */
  provider: BasicTracerProvider;
  /** All ended spans, in end order. */
  spans(): ReadableSpan[];
  /** Waits (bounded by the test timeout) until `count` spans have ended. */
  ended(count: number): Promise<ReadableSpan[]>;
  reset(): void;
}

/**
 * Tracer provider with the CostSpanProcessor first (as `register()` does)
 * and an in-memory exporter, plus an enabled instrumentation. Load the SDK
 * with `requireOpenAI()` afterwards, so the require hook patches it.
 */
export function setupHarness(config: OpenAIInstrumentationConfig = {}): Harness {
  const ended = new EndedSpans();
  const { exporter, provider } = inMemoryCostTracing([ended]);
  const instrumentation = new OpenAIInstrumentation(config);
  instrumentation.setTracerProvider(provider);
  return {
    instrumentation,
    exporter,
    provider,
    spans: () => ended.spans,
    ended: (count) => ended.until(count),
    reset: () => {
      exporter.reset();
      ended.spans.length = 0;
    },
  };
}

const require = createRequire(import.meta.url);

/** The real `openai` package through Node's require, so the instrumentation's hook sees it. */
export function requireOpenAI(): typeof import('openai') {
  return require('openai');
}
