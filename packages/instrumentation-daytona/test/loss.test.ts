/**
 * Intervals whose end is not seen: each is closed (never left open), marked
 * estimated, and the first of each kind is said once through the diag logger.
 * Its own file: the instrumentation says each kind once per process.
 */
import {
  ATTR_COMPUTE_BILLED_SECONDS,
  ATTR_COMPUTE_END_REASON,
  ATTR_COST_ESTIMATED,
  openIntervalCount,
  SPAN_DAYTONA_SANDBOX,
} from '@agentburn/core';
import { beforeAll, expect, it } from 'vitest';
import { startFakeDaytona } from '../../../test/fakes/daytona-server';
import { requireSdk, setupSandboxTracing, useFakeServer } from '../../../test/helpers/sandbox-tracing';
import { DaytonaInstrumentation } from '../src';

const tracing = setupSandboxTracing((clock) => new DaytonaInstrumentation({ clock }), SPAN_DAYTONA_SANDBOX);
const { clock, intervals, spans, warnings } = tracing;
const { Daytona } = requireSdk<typeof import('@daytonaio/sdk')>('@daytonaio/sdk', process.env.DAYTONA_SDK_MATRIX_DIR);

const fake = useFakeServer(tracing, startFakeDaytona);
let daytona: InstanceType<typeof Daytona>;
beforeAll(() => {
  daytona = new Daytona({ ...fake().config, useDeprecatedPolling: true });
});

const sized = { language: 'python' as const, autoStopInterval: 15, resources: { cpu: 1, memory: 1, disk: 3 } };
const unseen = (reason: string) => warnings.filter((m) => m.includes(`ends as ${reason}`));

it('stopped-unseen-found-by-refresh-ends-as-lost-said-once', async () => {
  const first = await daytona.create(sized);
  const second = await daytona.create(sized);
  clock.advanceSeconds(100);
  // Stopped elsewhere (the dashboard, another process): we only learn it from the state.
  fake().sandboxes.get(first.id)!.state = 'stopped';
  fake().sandboxes.get(second.id)!.state = 'stopped';
  await first.refreshData();
  clock.advanceSeconds(20);
  await second.refreshData();
  const [a, b] = intervals();
  // Billed to when the stop was found: an upper bound, estimated.
  expect(a!.attributes).toMatchObject({
    [ATTR_COMPUTE_END_REASON]: 'lost',
    [ATTR_COMPUTE_BILLED_SECONDS]: 100,
    [ATTR_COST_ESTIMATED]: true,
  });
  expect(b!.attributes).toMatchObject({ [ATTR_COMPUTE_END_REASON]: 'lost', [ATTR_COMPUTE_BILLED_SECONDS]: 120 });
  expect(unseen('lost')).toEqual([
    `@agentburn/instrumentation-daytona daytona sandbox ${first.id} stopped without being seen to stop: its interval ends as lost, billed to when that was found, and its cost is marked estimated (later lost intervals are not reported again)`,
  ]);
  expect(warnings).toHaveLength(1);
});

it('deleted-unseen-ends-as-lost-and-the-caller-keeps-the-sdk-error', async () => {
  const sandbox = await daytona.create(sized);
  clock.advanceSeconds(30);
  fake().sandboxes.delete(sandbox.id);
  const error = await sandbox.refreshData().catch((e: unknown) => e);
  expect((error as Error).constructor.name).toMatch(/Daytona/);
  expect(intervals()[0]!.attributes).toMatchObject({
    [ATTR_COMPUTE_END_REASON]: 'lost',
    [ATTR_COMPUTE_BILLED_SECONDS]: 30,
  });
  // Said once already, by the first test.
  expect(warnings).toEqual([]);
});

it('stop-of-a-sandbox-gone-unseen-ends-as-lost', async () => {
  const sandbox = await daytona.create(sized);
  clock.advanceSeconds(45);
  fake().sandboxes.delete(sandbox.id);
  const error = await sandbox.stop().catch((e: unknown) => e);
  expect((error as Error).constructor.name).toMatch(/Daytona/);
  expect(spans('daytona.sandbox.stop')[0]!.status.code).toBe(2);
  expect(intervals()[0]!.attributes).toMatchObject({
    [ATTR_COMPUTE_END_REASON]: 'lost',
    [ATTR_COMPUTE_BILLED_SECONDS]: 45,
    [ATTR_COST_ESTIMATED]: true,
  });
});

it('error-state-ends-as-abandoned-billed-to-auto-stop-said-once', async () => {
  const sandbox = await daytona.create(sized);
  clock.advanceSeconds(60);
  // In error, whether it still runs is not known: billed to its auto-stop, 15 minutes after the create.
  fake().sandboxes.get(sandbox.id)!.state = 'error';
  await sandbox.refreshData();
  expect(intervals()[0]!.attributes).toMatchObject({
    [ATTR_COMPUTE_END_REASON]: 'abandoned',
    [ATTR_COMPUTE_BILLED_SECONDS]: 900,
    [ATTR_COST_ESTIMATED]: true,
  });
  expect(openIntervalCount()).toBe(0);
  expect(unseen('abandoned')).toHaveLength(1);
  expect(unseen('abandoned')[0]).toContain(`daytona sandbox ${sandbox.id} was still running with no known end`);
});

it('left-running-at-shutdown-is-abandoned-and-not-said-again', async () => {
  await daytona.create(sized);
  await daytona.create(sized);
  clock.advanceSeconds(10);
  tracing.instrumentation._intervals.abandonAll();
  expect(intervals().map((s) => s.attributes[ATTR_COMPUTE_END_REASON])).toEqual(['abandoned', 'abandoned']);
  expect(warnings).toEqual([]);
});

it('own-stop-polling-the-state-is-not-a-loss', async () => {
  const sandbox = await daytona.create(sized);
  clock.advanceSeconds(5);
  await sandbox.stop();
  await sandbox.refreshData();
  expect(intervals()).toHaveLength(1);
  expect(intervals()[0]!.attributes[ATTR_COMPUTE_END_REASON]).toBe('stopped');
});
