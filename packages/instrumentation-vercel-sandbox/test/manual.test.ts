import { createRequire } from 'node:module';
import { SPAN_VERCEL_SANDBOX } from '@agentburn/core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ManualClock } from '../../../test/fakes/e2b-clock';
import { type FakeVercelSandbox, startFakeVercelSandbox } from '../../../test/fakes/vercel-sandbox-server';
import { inMemoryCostTracing } from '../../../test/helpers/tracing';
import { VercelSandboxInstrumentation } from '../src';

const clock = new ManualClock();
const { exporter, provider } = inMemoryCostTracing();
// Never enabled before the SDK loads: no hook patches it, only the hand does.
const instrumentation = new VercelSandboxInstrumentation({ clock, enabled: false });
instrumentation.setTracerProvider(provider);
const sdk = createRequire(import.meta.url)('@vercel/sandbox') as typeof import('@vercel/sandbox');

let fake: FakeVercelSandbox;
beforeAll(async () => {
  fake = await startFakeVercelSandbox({ now: () => clock.now() });
});
afterAll(async () => {
  instrumentation.disable();
  await fake.close();
});

const names = () => exporter.getFinishedSpans().map((s) => s.name);

async function createAndStop(): Promise<void> {
  const sandbox = await sdk.Sandbox.create({ ...fake.credentials, timeout: 600_000 });
  clock.advanceSeconds(60);
  await sandbox.stop();
}

it('manual-target-given-while-disabled-is-patched-on-enable-and-unpatched-on-disable', async () => {
  expect(instrumentation.manuallyInstrument(sdk)).toBe(true);
  await createAndStop();
  expect(names()).toEqual([]);

  instrumentation.enable();
  await createAndStop();
  expect(names()).toEqual(['vercel.sandbox.create', SPAN_VERCEL_SANDBOX, 'vercel.sandbox.stop']);

  // No hook loaded this copy: disable() still undoes the patches made by hand.
  exporter.reset();
  instrumentation.disable();
  await createAndStop();
  expect(names()).toEqual([]);
});

it('unknown-target-is-declined-without-throwing', () => {
  instrumentation.enable();
  expect(instrumentation.manuallyInstrument({ Sandbox: 'not a class' })).toBe(false);
  expect(instrumentation.manuallyInstrument(null)).toBe(false);
  instrumentation.disable();
});
