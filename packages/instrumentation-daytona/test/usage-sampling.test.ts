import {
  ATTR_COMPUTE_BILLED_SECONDS,
  ATTR_COMPUTE_CPU_USED_AVG,
  ATTR_COMPUTE_CPU_USED_MAX,
  ATTR_COMPUTE_END_REASON,
  ATTR_COMPUTE_MEMORY_USED_MAX_MIB,
  ATTR_COMPUTE_SAMPLES,
  SPAN_DAYTONA_SANDBOX,
} from '@agentburn/core';
import { afterEach, beforeAll, expect, it } from 'vitest';
import { startFakeDaytona } from '../../../test/fakes/daytona-server';
import { requireSdk, setupSandboxTracing, useFakeServer } from '../../../test/helpers/sandbox-tracing';
import { DaytonaInstrumentation } from '../src';

const tracing = setupSandboxTracing(
  (clock) => new DaytonaInstrumentation({ clock, sampleUsageEverySeconds: 60 }),
  SPAN_DAYTONA_SANDBOX,
);
const { clock, instrumentation, intervals, spans } = tracing;
const { Daytona, Sandbox } = requireSdk<typeof import('@daytonaio/sdk')>(
  '@daytonaio/sdk',
  process.env.DAYTONA_SDK_MATRIX_DIR,
);

const fake = useFakeServer(tracing, startFakeDaytona);
let daytona: InstanceType<typeof Daytona>;
beforeAll(() => {
  daytona = new Daytona({ ...fake().config, useDeprecatedPolling: true });
});
afterEach(() => instrumentation.settled());

// Sandbox.getMetrics() came with @daytonaio/sdk 0.199.0 (the matrix also runs older releases).
const hasMetrics = typeof Sandbox.prototype.getMetrics === 'function';

const sized = { language: 'python' as const, autoStopInterval: 15, resources: { cpu: 2, memory: 4, disk: 10 } };
const metricsRequests = () => fake().requests.filter((r) => r.path.endsWith('/telemetry/metrics'));

/** Moves the clock by `seconds` and lets the sampling requests the timers sent be answered. */
async function elapse(seconds: number): Promise<void> {
  clock.advanceSeconds(seconds);
  await instrumentation.settled();
}

// First: the SDK was patched as the file loaded.
it.skipIf(hasMetrics)('an-sdk-without-getmetrics-samples-nothing-and-says-so-once', async () => {
  expect(tracing.warnings).toEqual([
    '@agentburn/instrumentation-daytona usage sampling reads Sandbox.getMetrics(), which @daytonaio/sdk has from 0.199.0; this version has none, so no use is sampled',
  ]);
  const sandbox = await daytona.create(sized);
  await elapse(120);
  await sandbox.stop();
  expect(intervals()[0]!.attributes[ATTR_COMPUTE_SAMPLES]).toBe(0);
  expect(metricsRequests()).toEqual([]);
});

it.skipIf(!hasMetrics)('writes-observed-cpu-and-memory-on-the-interval-span', async () => {
  const sandbox = await daytona.create(sized);
  const usage = fake().sandboxes.get(sandbox.id)!.usage;
  const t0 = clock.now();
  usage.push({ atMs: t0 + 30_000, cpuUsedPct: 10, memUsedMib: 300 });
  await elapse(60);
  usage.push({ atMs: t0 + 90_000, cpuUsedPct: 40, memUsedMib: 610 });
  await elapse(60);
  await sandbox.stop();

  // 10% and 40% of 2 vCPUs: 0.2 and 0.8 vCPU, 0.5 on average; 610 MiB at most.
  expect(intervals()[0]!.attributes).toMatchObject({
    [ATTR_COMPUTE_SAMPLES]: 2,
    [ATTR_COMPUTE_CPU_USED_AVG]: 0.5,
    [ATTR_COMPUTE_CPU_USED_MAX]: 0.8,
    [ATTR_COMPUTE_MEMORY_USED_MAX_MIB]: 610,
    [ATTR_COMPUTE_END_REASON]: 'stopped',
  });
  // Two requests, the second asking only for what came after the first's sample.
  expect(metricsRequests()).toHaveLength(2);
  expect(new URL(`http://x${metricsRequests()[1]!.path}`).pathname).toBe(`/sandbox/${sandbox.id}/telemetry/metrics`);
});

it.skipIf(!hasMetrics)('sampling-is-not-activity-and-never-moves-the-auto-stop', async () => {
  const sandbox = await daytona.create(sized);
  const created = clock.now();
  // Sixteen minutes of sampling and nothing else: Daytona stops it 15 minutes after the create.
  for (let minute = 0; minute < 16; minute++) await elapse(60);
  expect(metricsRequests().length).toBeGreaterThanOrEqual(14);
  fake().tick();
  expect(fake().sandboxes.get(sandbox.id)!.lastActivityAt).toBe(created);
  expect(fake().sandboxes.get(sandbox.id)!.runningMs).toEqual([900_000]);
  expect(intervals()[0]!.attributes).toMatchObject({
    [ATTR_COMPUTE_END_REASON]: 'timeout',
    [ATTR_COMPUTE_BILLED_SECONDS]: 900,
  });
  // No span for the sampling requests.
  expect(spans().map((s) => s.name)).toEqual(['daytona.sandbox.create', 'daytona.sandbox']);
});
