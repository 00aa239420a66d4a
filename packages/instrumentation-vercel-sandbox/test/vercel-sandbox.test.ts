import {
  ATTR_COMPUTE_ACTIVE_CPU_SECONDS,
  ATTR_COMPUTE_BILLED_SECONDS,
  ATTR_COMPUTE_CREATIONS,
  ATTR_COMPUTE_END_REASON,
  ATTR_COMPUTE_MEMORY_MIB,
  ATTR_COMPUTE_PROVIDER,
  ATTR_COMPUTE_SANDBOX_ID,
  ATTR_COMPUTE_VCPU,
  ATTR_COST_COMPUTE_CPU_USD,
  ATTR_COST_COMPUTE_CREATION_USD,
  ATTR_COST_COMPUTE_MEMORY_USD,
  ATTR_COST_ESTIMATED,
  ATTR_COST_USD,
  ATTR_PROCESS_EXIT_CODE,
  openIntervalCount,
  SPAN_VERCEL_SANDBOX,
} from '@agentburn/core';
import { expect, it } from 'vitest';
import { startFakeVercelSandbox } from '../../../test/fakes/vercel-sandbox-server';
import { requireSdk, setupSandboxTracing, useFakeServer } from '../../../test/helpers/sandbox-tracing';
import { VercelSandboxInstrumentation } from '../src';

const tracing = setupSandboxTracing((clock) => new VercelSandboxInstrumentation({ clock }), SPAN_VERCEL_SANDBOX);
const { clock, ended, instrumentation, provider, spans, intervals } = tracing;
const { APIError, Sandbox } = requireSdk<typeof import('@vercel/sandbox')>(
  '@vercel/sandbox',
  // test/matrix.sh runs this suite against another release installed there.
  process.env.VERCEL_SANDBOX_SDK_MATRIX_DIR,
);

const fake = useFakeServer(tracing, startFakeVercelSandbox);

it('prices-reported-active-cpu-memory-and-the-creation', async () => {
  const sandbox = await Sandbox.create({ ...fake().credentials, resources: { vcpus: 2 }, timeout: 600_000 });
  clock.advanceSeconds(120);
  fake().nextCommand({ exitCode: 0, stdout: 'built\n', cpuMs: 30_000 });
  const result = await sandbox.runCommand('npm', ['run', 'build']);
  expect(await result.stdout()).toBe('built\n');
  clock.advanceSeconds(60);
  await sandbox.stop();

  const interval = intervals()[0]!;
  expect(interval.attributes).toMatchObject({
    [ATTR_COMPUTE_PROVIDER]: 'vercel',
    [ATTR_COMPUTE_SANDBOX_ID]: 'sbx_fake0001',
    [ATTR_COMPUTE_VCPU]: 2,
    [ATTR_COMPUTE_MEMORY_MIB]: 4096,
    [ATTR_COMPUTE_BILLED_SECONDS]: 180,
    [ATTR_COMPUTE_ACTIVE_CPU_SECONDS]: 30,
    [ATTR_COMPUTE_CREATIONS]: 1,
    [ATTR_COMPUTE_END_REASON]: 'stopped',
  });
  // CPU: 30 s x $0.128/h = 0.00106667; memory: 180 s x 4 GB x $0.0212/GB-h = 0.00424; one creation: $0.0000006.
  expect(interval.attributes[ATTR_COST_COMPUTE_CPU_USD]).toBeCloseTo(0.0010666667, 10);
  expect(interval.attributes[ATTR_COST_COMPUTE_MEMORY_USD]).toBeCloseTo(0.00424, 12);
  expect(interval.attributes[ATTR_COST_COMPUTE_CREATION_USD]).toBeCloseTo(0.0000006, 15);
  expect(interval.attributes[ATTR_COST_USD]).toBeCloseTo(0.0053072667, 10);
  expect(interval.attributes[ATTR_COST_ESTIMATED]).toBeUndefined();
  expect(spans('vercel.sandbox.run_command')[0]!.attributes).toMatchObject({
    [ATTR_COMPUTE_SANDBOX_ID]: 'sbx_fake0001',
    [ATTR_PROCESS_EXIT_CODE]: 0,
  });
  expect(spans('vercel.sandbox.run_command')[0]!.attributes['process.command_line']).toBeUndefined();
});

it('estimates-cpu-from-wall-time-when-the-session-timed-out', async () => {
  await Sandbox.create({ ...fake().credentials, resources: { vcpus: 2 }, timeout: 300_000 });
  clock.advanceSeconds(400);
  const interval = intervals()[0]!;
  expect(interval.attributes).toMatchObject({
    [ATTR_COMPUTE_END_REASON]: 'timeout',
    [ATTR_COMPUTE_BILLED_SECONDS]: 300,
    [ATTR_COST_ESTIMATED]: true,
  });
  // No active CPU reported: at most 2 vCPUs x 300 s x $0.128/h = 0.0213333.
  expect(interval.attributes[ATTR_COST_COMPUTE_CPU_USD]).toBeCloseTo(0.0213333333, 10);
  expect(interval.attributes[ATTR_COMPUTE_ACTIVE_CPU_SECONDS]).toBeUndefined();
});

it('extend-timeout-moves-the-end-of-the-interval', async () => {
  const sandbox = await Sandbox.create({ ...fake().credentials, timeout: 300_000 });
  clock.advanceSeconds(100);
  await sandbox.extendTimeout(120_000);
  clock.advanceSeconds(600);
  expect(intervals()[0]!.attributes).toMatchObject({
    [ATTR_COMPUTE_END_REASON]: 'timeout',
    [ATTR_COMPUTE_BILLED_SECONDS]: 420,
  });
  expect(spans('vercel.sandbox.extend_timeout')).toHaveLength(1);
});

it('a-resumed-sandbox-is-a-new-session-and-a-new-creation', async () => {
  const sandbox = await Sandbox.create({ ...fake().credentials, name: 'agent-box', timeout: 300_000 });
  clock.advanceSeconds(10);
  await sandbox.stop();
  clock.advanceSeconds(1000);
  const again = await Sandbox.get({ ...fake().credentials, name: 'agent-box', resume: true });
  clock.advanceSeconds(20);
  await again.stop();
  const [first, second] = intervals();
  expect(first!.attributes).toMatchObject({
    [ATTR_COMPUTE_SANDBOX_ID]: 'sbx_fake0001',
    [ATTR_COMPUTE_BILLED_SECONDS]: 10,
  });
  expect(second!.attributes).toMatchObject({
    [ATTR_COMPUTE_SANDBOX_ID]: 'sbx_fake0002',
    [ATTR_COMPUTE_BILLED_SECONDS]: 20,
    [ATTR_COMPUTE_CREATIONS]: 1,
  });
});

it('abandoned-session-is-billed-to-its-timeout-and-estimated', async () => {
  await Sandbox.create({ ...fake().credentials, timeout: 300_000 });
  clock.advanceSeconds(30);
  instrumentation._intervals.abandonAll();
  expect(intervals()[0]!.attributes).toMatchObject({
    [ATTR_COMPUTE_END_REASON]: 'abandoned',
    [ATTR_COMPUTE_BILLED_SECONDS]: 300,
    [ATTR_COST_ESTIMATED]: true,
  });
});

it('keeps-the-sdk-error-and-the-interval-on-a-failed-stop', async () => {
  const sandbox = await Sandbox.create({ ...fake().credentials, timeout: 300_000 });
  fake().sessions.get('sbx_fake0001')!.status = 'stopped';
  const error = await sandbox.stop().catch((e: unknown) => e);
  // The caller gets the SDK's own error class.
  expect(error).toBeInstanceOf(APIError);
  expect(spans('vercel.sandbox.stop')[0]!.status.code).toBe(2);
  expect(instrumentation._intervals.isOpen('sbx_fake0001')).toBe(true);
});

// Last: shuts the tracer provider down.
it('closes-a-leaked-sandbox-as-abandoned-at-provider-shutdown', async () => {
  await Sandbox.create({ ...fake().credentials, timeout: 300_000 });
  clock.advanceSeconds(30);
  expect(openIntervalCount()).toBe(1);
  await provider.shutdown();
  expect(openIntervalCount()).toBe(0);
  const interval = ended.filter((s) => s.name === SPAN_VERCEL_SANDBOX).pop()!;
  expect(interval.attributes).toMatchObject({
    [ATTR_COMPUTE_END_REASON]: 'abandoned',
    [ATTR_COMPUTE_BILLED_SECONDS]: 300,
    [ATTR_COST_ESTIMATED]: true,
  });
  // Priced by the CostSpanProcessor before the exporters shut down.
  // 300 s x 2 vCPUs x $0.128/h (estimated) + 300 s x 4 GB x $0.0212/GB-h + one creation = 0.0213333 + 0.0070667 + 0.0000006.
  expect(interval.attributes[ATTR_COST_USD]).toBeCloseTo(0.0284006, 10);
});
