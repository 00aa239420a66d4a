import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { ComputeIntervals } from '@agentburn/core';
import { context, DiagLogLevel, diag, type TracerProvider } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import type { BasicTracerProvider, InMemorySpanExporter, ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { ManualClock } from '../fakes/e2b-clock';
import { inMemoryCostTracing } from './tracing';

/** What the Daytona and Vercel Sandbox instrumentations have in common, as their tests use them. */
export interface SandboxInstrumentation {
  setTracerProvider(provider: TracerProvider): void;
  enable(): void;
  readonly _intervals: ComputeIntervals;
}

export interface SandboxTracing<I extends SandboxInstrumentation> {
  clock: ManualClock;
  exporter: InMemorySpanExporter;
  provider: BasicTracerProvider;
  instrumentation: I;
  /** Every span ended, kept past the exporter's reset at provider shutdown. */
  ended: ReadableSpan[];
  /** Every diag warning and error since the last `reset()`. */
  warnings: string[];
  spans(name?: string): ReadableSpan[];
  /** The running-interval spans (named `intervalSpan`) exported so far. */
  intervals(): ReadableSpan[];
  /** Between tests: leaked intervals closed, spans and warnings forgotten. */
  reset(): void;
}

/**
 * A sandbox instrumentation on a manual clock, enabled on a provider with
 * the CostSpanProcessor ahead of the exporting processor (as `register()`
 * orders them), a real async context manager (parents carry across awaits)
 * and a diag logger that keeps warnings. Load the SDK with `requireSdk`
 * afterwards, so the require hook patches it.
 */
export function setupSandboxTracing<I extends SandboxInstrumentation>(
  make: (clock: ManualClock) => I,
  intervalSpan: string,
): SandboxTracing<I> {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  const warnings: string[] = [];
  const keep = (message: string, ...args: unknown[]) => warnings.push([message, ...args.map(String)].join(' '));
  diag.setLogger(
    { error: keep, warn: keep, info: () => {}, debug: () => {}, verbose: () => {} },
    { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true },
  );
  const clock = new ManualClock();
  const ended: ReadableSpan[] = [];
  const { exporter, provider } = inMemoryCostTracing([
    { onStart() {}, onEnd: (span) => ended.push(span), forceFlush: async () => {}, shutdown: async () => {} },
  ]);
  const instrumentation = make(clock);
  instrumentation.setTracerProvider(provider);
  instrumentation.enable();
  const spans = (name?: string) => exporter.getFinishedSpans().filter((s) => name === undefined || s.name === name);
  return {
    clock,
    exporter,
    provider,
    instrumentation,
    ended,
    warnings,
    spans,
    intervals: () => spans(intervalSpan),
    reset() {
      instrumentation._intervals.abandonAll();
      exporter.reset();
      warnings.length = 0;
    },
  };
}

/**
 * A provider's fake on loopback for the file's tests, living by the
 * tracing's manual clock: started before them, reset (with the tracing)
 * after each, closed after all. Returns its getter.
 */
export function useFakeServer<F extends { reset(): void; close(): Promise<void> }>(
  tracing: SandboxTracing<SandboxInstrumentation>,
  start: (options: { now: () => number }) => Promise<F>,
): () => F {
  let fake: F | undefined;
  beforeAll(async () => {
    fake = await start({ now: () => tracing.clock.now() });
  });
  afterEach(() => {
    tracing.reset();
    fake?.reset();
  });
  afterAll(async () => {
    await fake?.close();
  });
  return () => {
    if (!fake) throw new Error('the fake server starts in beforeAll');
    return fake;
  };
}

/**
 * Loads `name` through `require` (vitest's import path bypasses the require
 * hook): from the repository, or from `dir`'s node_modules when given (the
 * SDK-version matrix installs there).
 */
export function requireSdk<T>(name: string, dir?: string): T {
  const from = dir ? join(dir, 'package.json') : import.meta.url;
  return createRequire(from)(name) as T;
}
