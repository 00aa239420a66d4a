import { createRequire } from 'node:module';
import type { BasicTracerProvider, InMemorySpanExporter, ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { inMemoryCostTracing, waitForSpans } from '../../../test/helpers/tracing';
import { BedrockInstrumentation, type BedrockInstrumentationConfig } from '../src';

/**
 * Loads the real SDK through `require`, after the instrumentation is enabled,
 * so the require hook patches it (vitest's own import path bypasses it).
 */
export function requireSdk(): any {
  return createRequire(import.meta.url)('@aws-sdk/client-bedrock-runtime');
}

export interface Tracing {
  exporter: InMemorySpanExporter;
  provider: BasicTracerProvider;
  instrumentation: BedrockInstrumentation;
  spans(): ReadableSpan[];
}

/** A tracer provider given to the instrumentation only, the CostSpanProcessor ahead of the exporting processor. */
export function setupTracing(config: BedrockInstrumentationConfig = {}): Tracing {
  const { exporter, provider } = inMemoryCostTracing();
  const instrumentation = new BedrockInstrumentation(config);
  instrumentation.setTracerProvider(provider);
  instrumentation.enable();
  return { exporter, provider, instrumentation, spans: () => exporter.getFinishedSpans() };
}

/** Resolves once `count` spans have ended (bounded: a test failure, not a wait). */
export function spansEnded(tracing: Tracing, count: number): Promise<ReadableSpan[]> {
  return waitForSpans(tracing.exporter, count);
}

/** Options of a client that talks to the fake at `endpoint`: SigV4-signed with test keys, no retries. */
export function fakeClientOptions(endpoint: string) {
  return {
    region: 'us-east-1',
    endpoint,
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'test-secret-key' },
    maxAttempts: 1,
  };
}
