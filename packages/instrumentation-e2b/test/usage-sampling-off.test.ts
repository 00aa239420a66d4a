import { ATTR_COMPUTE_SAMPLES } from '@agentburn/core';
import { afterAll, expect, it } from 'vitest';
import { startFakeE2B } from '../../../test/fakes/e2b-server';
import { requireSdk, setupTracing } from './harness';

const tracing = setupTracing();
const { clock, instrumentation } = tracing;
const { Sandbox } = requireSdk().ci;

it('does-not-sample-unless-asked', async () => {
  const fake = await startFakeE2B({ now: () => clock.now() });
  afterAll(() => fake.close());
  const sbx = await Sandbox.create({ ...fake.connection });
  await instrumentation.settled();
  clock.advanceSeconds(120);
  await instrumentation.settled();
  await sbx.kill();
  expect(fake.requests.filter((r) => r.path.endsWith('/metrics'))).toHaveLength(0);
  expect(tracing.intervals()[0]!.attributes[ATTR_COMPUTE_SAMPLES]).toBeUndefined();
});
