import { createRequire } from 'node:module';
import {
  ATTR_COST_ESTIMATED,
  ATTR_COST_USD,
  ATTR_E2B_SANDBOX_BILLED_SECONDS,
  ATTR_E2B_SANDBOX_END_REASON,
  CostSpanProcessor,
  openIntervalCount,
  SPAN_E2B_SANDBOX,
} from '@agentburn/core';
import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, expect, it } from 'vitest';
import { ManualClock } from '../../../test/fakes/e2b-clock';
import { startFakeE2B } from '../../../test/fakes/e2b-server';
import { recordDiagMessages } from '../../../test/helpers/fake-package';
import { startOtlpReceiver } from '../../../test/helpers/otlp-receiver';
import { E2BInstrumentation } from '../src';

context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
const clock = new ManualClock();
const instrumentation = new E2BInstrumentation({ clock });
const { Sandbox } = createRequire(import.meta.url)('@e2b/code-interpreter');

const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const cleanup of cleanups) await cleanup();
});

/** A fake E2B, and a provider exporting OTLP to a receiver, the instrumentation's from now on. */
async function exportingToReceiver() {
  const fake = await startFakeE2B({ now: () => clock.now() });
  const receiver = await startOtlpReceiver();
  cleanups.push(
    () => fake.close(),
    () => receiver.close(),
  );
  // As register() orders them: the CostSpanProcessor first, then the exporting processor.
  const provider = new BasicTracerProvider({
    spanProcessors: [
      new CostSpanProcessor(),
      new BatchSpanProcessor(new OTLPTraceExporter({ url: `${receiver.url}/v1/traces` })),
    ],
  });
  instrumentation.setTracerProvider(provider);
  return { fake, receiver, provider };
}

it('exports-a-leaked-sandbox-as-abandoned-at-provider-shutdown', async () => {
  const { fake, receiver, provider } = await exportingToReceiver();

  const sbx = await Sandbox.create({ ...fake.connection, timeoutMs: 120_000 });
  await instrumentation.settled();
  clock.advanceSeconds(30);
  await sbx.runCode('x = 1');
  expect(openIntervalCount()).toBe(1);

  // The process goes away with the sandbox still running: E2B bills it until its expiry, 120 s after create.
  await provider.shutdown();
  expect(openIntervalCount()).toBe(0);
  const spans = await receiver.waitForSpans(3);
  const interval = spans.find((s) => s.name === SPAN_E2B_SANDBOX)!;
  expect(interval.attributes[ATTR_E2B_SANDBOX_END_REASON]).toBe('abandoned');
  expect(interval.attributes[ATTR_E2B_SANDBOX_BILLED_SECONDS]).toBe(120);
  expect(interval.attributes[ATTR_COST_ESTIMATED]).toBe(true);
  // 120 s x (2 x 0.000014 + 2 x 0.0000045) = 120 x 0.000037 = $0.00444
  expect(interval.attributes[ATTR_COST_USD]).toBeCloseTo(0.00444, 12);
  // The span ends when the process let go of it (30 s), not at the expiry in the future.
  expect(Number(interval.endTimeUnixNano - interval.startTimeUnixNano) / 1e9).toBe(30);
  expect(spans.map((s) => s.name).sort()).toEqual(['e2b.run_code', 'e2b.sandbox', 'e2b.sandbox.create']);
});

it('create-in-flight-at-shutdown-ends-its-span-and-says-the-loss-once', async () => {
  const { fake, receiver, provider } = await exportingToReceiver();
  const warnings = recordDiagMessages();

  const held = fake.controls.holdNextResponse({ server: 'api', method: 'POST' });
  const creating = Sandbox.create({ ...fake.connection, timeoutMs: 120_000 });
  await held.answered;
  expect(openIntervalCount('sandbox-call')).toBe(1);

  await provider.shutdown();
  expect((await receiver.waitForSpans(1)).map((s) => s.name)).toEqual(['e2b.sandbox.create']);
  expect(warnings).toEqual([
    '@agentburn/instrumentation-e2b e2b.sandbox.create was still in flight when telemetry shut down: its span ends now, and the sandbox it starts, if any, is not recorded, so its compute cost is lost (later ones are not reported again)',
  ]);

  // The caller still gets the SDK's own sandbox; no interval is opened behind it.
  held.release();
  expect(await creating).toBeInstanceOf(Sandbox);
  await instrumentation.settled();
  expect(openIntervalCount()).toBe(0);
  expect(receiver.spans).toHaveLength(1);
  expect(warnings).toHaveLength(1);
});
