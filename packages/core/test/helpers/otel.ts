/**
 * The one place core tests get SDK classes from, so the suite runs on both
 * SDK lines: 2.x (`@opentelemetry/sdk-trace-base`, `BasicTracerProvider`) and
 * 3.x (`@opentelemetry/sdk-trace`, `TracerProvider`; the 3.x test run maps
 * the module name). Everything else used here has the same shape on both.
 */

import { type Attributes, context, type Span, SpanKind, type Tracer, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import type { ReadableSpan, SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import * as traceSdk from '@opentelemetry/sdk-trace-base';

export type { ReadableSpan, SpanExporter, SpanProcessor };
export const { InMemorySpanExporter } = traceSdk;

interface ProviderLike {
  getTracer(name: string): Tracer;
  forceFlush(): Promise<void>;
  shutdown(): Promise<void>;
}
type ProviderClass = new (config: { spanProcessors: SpanProcessor[] }) => ProviderLike;

const sdk = traceSdk as unknown as Record<string, unknown>;
/** 2.x `sdk-trace-base` has BasicTracerProvider; 3.x `sdk-trace` has TracerProvider. */
const isLine2 = typeof sdk.BasicTracerProvider === 'function';
const Provider = (isLine2 ? sdk.BasicTracerProvider : sdk.TracerProvider) as ProviderClass;

/** An exporting SimpleSpanProcessor: 2.x takes the exporter, 3.x an options object. */
export function simpleProcessor(exporter: SpanExporter): SpanProcessor {
  const Simple = traceSdk.SimpleSpanProcessor as unknown as new (arg: unknown) => SpanProcessor;
  return isLine2 ? new Simple(exporter) : new Simple({ exporter });
}

let contextReady = false;
/** Async context for `startActiveSpan` and `withAgent`; set once per test file. */
export function ensureContextManager(): void {
  if (contextReady) return;
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  contextReady = true;
}

/** An exporter that keeps what it got, also after shutdown (InMemorySpanExporter forgets). */
export class CollectingExporter implements SpanExporter {
  readonly spans: ReadableSpan[] = [];
  export(spans: ReadableSpan[], done: (result: { code: number }) => void): void {
    this.spans.push(...spans);
    done({ code: 0 });
  }
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

export interface Tracing {
  provider: ProviderLike;
  tracer: Tracer;
  exporter: CollectingExporter;
  /** The one exported span named `name` (throws when there is none or several). */
  span(name: string): ReadableSpan;
}

/** A provider whose processors are `processors` followed by an exporting SimpleSpanProcessor. */
export function createTracing(processors: SpanProcessor[]): Tracing {
  ensureContextManager();
  const exporter = new CollectingExporter();
  const provider = new Provider({ spanProcessors: [...processors, simpleProcessor(exporter)] });
  const tracer = provider.getTracer('agentburn-core-test');
  return {
    provider,
    tracer,
    exporter,
    span(name: string) {
      const found = exporter.spans.filter((s) => s.name === name);
      if (found.length !== 1) throw new Error(`expected one span "${name}", got ${found.length}`);
      return found[0]!;
    },
  };
}

export function createProvider(processors: SpanProcessor[]): ProviderLike {
  ensureContextManager();
  return new Provider({ spanProcessors: processors });
}

/** Starts and ends a CLIENT span (an LLM call as an instrumentation emits it), under `parent` if given. */
export function endSpan(tracer: Tracer, name: string, attributes: Attributes, parent?: Span): Span {
  const ctx = parent ? trace.setSpan(context.active(), parent) : context.active();
  const span = tracer.startSpan(name, { kind: SpanKind.CLIENT }, ctx);
  span.setAttributes(attributes);
  span.end();
  return span;
}
