import { createRequire } from 'node:module';
import { SPAN_DAYTONA_SANDBOX } from '@agentburn/core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type FakeDaytona, startFakeDaytona } from '../../../test/fakes/daytona-server';
import { ManualClock } from '../../../test/fakes/e2b-clock';
import { inMemoryCostTracing } from '../../../test/helpers/tracing';
import { DaytonaInstrumentation } from '../src';

const clock = new ManualClock();
const { exporter, provider } = inMemoryCostTracing();
// Never enabled before the SDK loads: no hook patches it, only the hand does.
const instrumentation = new DaytonaInstrumentation({ clock, enabled: false });
instrumentation.setTracerProvider(provider);
const sdk = createRequire(import.meta.url)('@daytonaio/sdk') as typeof import('@daytonaio/sdk');

let fake: FakeDaytona;
beforeAll(async () => {
  fake = await startFakeDaytona({ now: () => clock.now() });
});
afterAll(async () => {
  instrumentation.disable();
  await fake.close();
});

const names = () => exporter.getFinishedSpans().map((s) => s.name);

async function createAndDelete(): Promise<void> {
  const daytona = new sdk.Daytona({ ...fake.config, useDeprecatedPolling: true });
  const sandbox = await daytona.create({ language: 'python', autoStopInterval: 0 });
  clock.advanceSeconds(60);
  await sandbox.delete();
}

it('manual-target-given-while-disabled-is-patched-on-enable-and-unpatched-on-disable', async () => {
  expect(instrumentation.manuallyInstrument(sdk)).toBe(true);
  await createAndDelete();
  expect(names()).toEqual([]);

  instrumentation.enable();
  await createAndDelete();
  expect(names()).toEqual(['daytona.sandbox.create', SPAN_DAYTONA_SANDBOX, 'daytona.sandbox.delete']);

  // No hook loaded this copy: disable() still undoes the patches made by hand.
  exporter.reset();
  instrumentation.disable();
  await createAndDelete();
  expect(names()).toEqual([]);
});

it('unknown-target-is-declined-without-throwing', () => {
  instrumentation.enable();
  expect(instrumentation.manuallyInstrument({ Daytona: 'not a class' })).toBe(false);
  expect(instrumentation.manuallyInstrument(undefined)).toBe(false);
  instrumentation.disable();
});
