import {
  ATTR_COMPUTE_CPU_USED_AVG,
  ATTR_COMPUTE_CPU_USED_MAX,
  ATTR_COMPUTE_MEMORY_USED_MAX_MIB,
  ATTR_COMPUTE_SAMPLES,
  ATTR_COST_USD,
  ATTR_E2B_SANDBOX_END_REASON,
} from '@agentburn/core';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { type FakeE2B, startFakeE2B } from '../../../test/fakes/e2b-server';
import { requireSdk, setupTracing, usdPerSecond } from './harness';

const tracing = setupTracing({ sampleUsageEverySeconds: 15 });
const { clock, instrumentation } = tracing;
const { Sandbox } = requireSdk().ci;

let fake: FakeE2B;
beforeAll(async () => {
  fake = await startFakeE2B({ now: () => clock.now() });
});
afterEach(async () => {
  await instrumentation.settled();
  instrumentation._intervals.abandonAll();
  fake.reset();
  tracing.exporter.reset();
});
afterAll(async () => {
  await fake.close();
});

const metricsRequests = () => fake.requests.filter((r) => r.path.endsWith('/metrics'));

/** Moves the clock by `seconds` and lets the sampling requests the timers sent be answered. */
async function elapse(seconds: number): Promise<void> {
  clock.advanceSeconds(seconds);
  await instrumentation.settled();
}

it('writes-observed-cpu-and-memory-on-the-interval-span', async () => {
  const sbx = await Sandbox.create({ ...fake.connection });
  await instrumentation.settled();
  fake.controls.setUsage(sbx.sandboxId, { cpuUsedPct: 10, memUsedMiB: 300 });
  await elapse(15); // samples at 5, 10, 15 s: 10% of 2 vCPUs = 0.2 vCPU, 300 MiB
  fake.controls.setUsage(sbx.sandboxId, { cpuUsedPct: 40, memUsedMiB: 610 });
  await elapse(15); // samples at 20, 25, 30 s: 0.8 vCPU, 610 MiB
  await sbx.kill();

  const [interval] = tracing.intervals();
  // (3 x 0.2 + 3 x 0.8) / 6 = 0.5 vCPU on average, 0.8 at most, 610 MiB at most.
  expect(interval!.attributes).toMatchObject({
    [ATTR_COMPUTE_SAMPLES]: 6,
    [ATTR_COMPUTE_CPU_USED_AVG]: 0.5,
    [ATTR_COMPUTE_CPU_USED_MAX]: 0.8,
    [ATTR_COMPUTE_MEMORY_USED_MAX_MIB]: 610,
    [ATTR_E2B_SANDBOX_END_REASON]: 'killed',
  });
  // Sampling changes nothing of the bill: 30 s of 2 vCPU / 2048 MiB.
  expect(interval!.attributes[ATTR_COST_USD]).toBeCloseTo(30 * usdPerSecond(2, 2048), 12);
  // Two requests, the second one asking only for what came after the first.
  expect(metricsRequests()).toHaveLength(2);
});

it('sampling-requests-stay-outside-the-callers-trace', async () => {
  const root = tracing.tracer.startSpan('agent');
  const sbx = await Sandbox.create({ ...fake.connection });
  await elapse(15);
  await sbx.kill();
  root.end();
  expect(metricsRequests()).toHaveLength(1);
  // No span for the sampling request, and no trace context sent with it.
  expect(
    tracing
      .spans()
      .map((s) => s.name)
      .sort(),
  ).toEqual(['agent', 'e2b.sandbox', 'e2b.sandbox.create', 'e2b.sandbox.kill']);
  expect(metricsRequests()[0]!.headers.traceparent).toBeUndefined();
});

it('asks-a-slow-provider-once-at-a-time', async () => {
  const sbx = await Sandbox.create({ ...fake.connection });
  await instrumentation.settled();
  const held = fake.controls.holdNextResponse({ path: `/sandboxes/${sbx.sandboxId}/metrics` });
  clock.advanceSeconds(15);
  await held.answered;
  // Three more periods pass while the first answer is held: no second request.
  clock.advanceSeconds(45);
  expect(metricsRequests()).toHaveLength(1);
  held.release();
  await instrumentation.settled();
  await sbx.kill();
  // The one answer held every sample of the first 15 s (5, 10, 15); the next poll was never due before the kill.
  expect(tracing.intervals()[0]!.attributes[ATTR_COMPUTE_SAMPLES]).toBe(3);
});

it('stops-sampling-when-the-interval-ends', async () => {
  const sbx = await Sandbox.create({ ...fake.connection });
  await elapse(15);
  await sbx.kill();
  await elapse(60);
  expect(metricsRequests()).toHaveLength(1);
  expect(clock.pendingTimers).toBe(0);
});

it('keeps-the-samples-of-a-sandbox-abandoned-at-shutdown', async () => {
  const sbx = await Sandbox.create({ ...fake.connection, timeoutMs: 120_000 });
  fake.controls.setUsage(sbx.sandboxId, { cpuUsedPct: 50, memUsedMiB: 1024 });
  await elapse(15);
  instrumentation._intervals.abandonAll();
  expect(tracing.intervals()[0]!.attributes).toMatchObject({
    [ATTR_E2B_SANDBOX_END_REASON]: 'abandoned',
    [ATTR_COMPUTE_SAMPLES]: 3,
    [ATTR_COMPUTE_CPU_USED_MAX]: 1,
    [ATTR_COMPUTE_MEMORY_USED_MAX_MIB]: 1024,
  });
  expect(clock.pendingTimers).toBe(0);
});

it('a-failing-metrics-endpoint-costs-nothing-but-the-samples', async () => {
  const sbx = await Sandbox.create({ ...fake.connection });
  fake.controls.failNext({ status: 500, match: { path: `/sandboxes/${sbx.sandboxId}/metrics` } });
  await elapse(15);
  await elapse(15);
  await sbx.kill();
  // The first request failed; the second one brought every sample since the start.
  expect(metricsRequests()).toHaveLength(2);
  expect(tracing.intervals()[0]!.attributes[ATTR_COMPUTE_SAMPLES]).toBe(6);
  expect(tracing.intervals()[0]!.attributes[ATTR_COST_USD]).toBeCloseTo(30 * usdPerSecond(2, 2048), 12);
});
