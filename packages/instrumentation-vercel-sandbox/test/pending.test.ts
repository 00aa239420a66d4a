/**
 * Sessions that never reach running, and creates still in flight when
 * telemetry shuts down: every span ends, every interval closes, and what is
 * lost is said once. Its own file: the last test shuts the provider down.
 */
import {
  ATTR_COMPUTE_BILLED_SECONDS,
  ATTR_COMPUTE_END_REASON,
  ATTR_COMPUTE_SANDBOX_ID,
  ATTR_COST_ESTIMATED,
  closeAllOpenIntervals,
  openIntervalCount,
  SPAN_VERCEL_SANDBOX,
} from '@agentburn/core';
import { expect, it } from 'vitest';
import { startFakeVercelSandbox } from '../../../test/fakes/vercel-sandbox-server';
import { requireSdk, setupSandboxTracing, useFakeServer } from '../../../test/helpers/sandbox-tracing';
import { VercelSandboxInstrumentation } from '../src';

const tracing = setupSandboxTracing((clock) => new VercelSandboxInstrumentation({ clock }), SPAN_VERCEL_SANDBOX);
const { clock, ended, intervals, provider, spans, warnings } = tracing;
const { Sandbox } = requireSdk<typeof import('@vercel/sandbox')>(
  '@vercel/sandbox',
  process.env.VERCEL_SANDBOX_SDK_MATRIX_DIR,
);

const fake = useFakeServer(tracing, startFakeVercelSandbox);

it('pending-session-never-running-closes-as-abandoned-at-shutdown-said-once', async () => {
  fake().nextCreatePending();
  const sandbox = await Sandbox.create({ ...fake().credentials, timeout: 300_000 });
  expect(sandbox.status).toBe('pending');
  clock.advanceSeconds(30);
  // What the CostSpanProcessor does at provider shutdown.
  expect(closeAllOpenIntervals()).toBe(1);
  expect(spans('vercel.sandbox.create')).toHaveLength(1);
  // Whether it ever ran is not known: billed as if it ran to its timeout, and estimated.
  expect(intervals()[0]!.attributes).toMatchObject({
    [ATTR_COMPUTE_SANDBOX_ID]: 'sbx_fake0001',
    [ATTR_COMPUTE_END_REASON]: 'abandoned',
    [ATTR_COMPUTE_BILLED_SECONDS]: 300,
    [ATTR_COST_ESTIMATED]: true,
  });
  expect(warnings).toEqual([
    '@agentburn/instrumentation-vercel-sandbox vercel sandbox sbx_fake0001 was still running with no known end (shut down, or its state is unknown): its interval ends as abandoned, billed to its known expiry, and its cost is marked estimated (later abandoned intervals are not reported again)',
  ]);
});

it('pending-session-ends-at-its-timeout', async () => {
  fake().nextCreatePending();
  await Sandbox.create({ ...fake().credentials, timeout: 120_000 });
  clock.advanceSeconds(600);
  expect(intervals()[0]!.attributes).toMatchObject({
    [ATTR_COMPUTE_END_REASON]: 'timeout',
    [ATTR_COMPUTE_BILLED_SECONDS]: 120,
  });
  expect(openIntervalCount()).toBe(0);
  expect(warnings).toEqual([]);
});

// Last: shuts the tracer provider down.
it('create-in-flight-at-shutdown-ends-its-span-and-says-the-loss-once', async () => {
  const release = fake().holdNextCreate();
  const creating = Sandbox.create({ ...fake().credentials, timeout: 300_000 });
  for (let i = 0; i < 1000 && fake().requests.length === 0; i++) await new Promise((r) => setImmediate(r));
  expect(fake().requests).toHaveLength(1);
  expect(openIntervalCount()).toBe(1);

  const intervalsBefore = ended.filter((s) => s.name === SPAN_VERCEL_SANDBOX).length;
  await provider.shutdown();
  expect(ended.map((s) => s.name)).toContain('vercel.sandbox.create');
  expect(warnings).toEqual([
    '@agentburn/instrumentation-vercel-sandbox vercel.sandbox.create was still in flight when telemetry shut down: its span ends now, and the sandbox it starts, if any, is not recorded, so its compute cost is lost (later ones are not reported again)',
  ]);

  // The caller still gets the SDK's own sandbox; nothing is left open behind it.
  release();
  const sandbox = await creating;
  expect(sandbox).toBeInstanceOf(Sandbox);
  expect(openIntervalCount()).toBe(0);
  expect(ended.filter((s) => s.name === SPAN_VERCEL_SANDBOX)).toHaveLength(intervalsBefore);
  expect(warnings).toHaveLength(1);
});
