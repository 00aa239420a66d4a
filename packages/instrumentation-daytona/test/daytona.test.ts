import {
  ATTR_COMPUTE_BILLED_SECONDS,
  ATTR_COMPUTE_CREATIONS,
  ATTR_COMPUTE_DISK_GIB,
  ATTR_COMPUTE_END_REASON,
  ATTR_COMPUTE_MEMORY_MIB,
  ATTR_COMPUTE_PROVIDER,
  ATTR_COMPUTE_SANDBOX_ID,
  ATTR_COMPUTE_VCPU,
  ATTR_COST_COMPUTE_DISK_USD,
  ATTR_COST_ESTIMATED,
  ATTR_COST_USD,
  ATTR_PROCESS_EXIT_CODE,
  ATTR_TRACE_COMPUTE_COST_USD,
  ATTR_TRACE_SANDBOX_RUNS,
  openIntervalCount,
  SPAN_DAYTONA_SANDBOX,
} from '@agentburn/core';
import { context, trace } from '@opentelemetry/api';
import { beforeAll, expect, it } from 'vitest';
import { startFakeDaytona } from '../../../test/fakes/daytona-server';
import { requireSdk, setupSandboxTracing, useFakeServer } from '../../../test/helpers/sandbox-tracing';
import { DaytonaInstrumentation } from '../src';

const tracing = setupSandboxTracing((clock) => new DaytonaInstrumentation({ clock }), SPAN_DAYTONA_SANDBOX);
const { clock, ended, instrumentation, provider, spans, intervals } = tracing;
const { Daytona } = requireSdk<typeof import('@daytonaio/sdk')>(
  '@daytonaio/sdk',
  // test/matrix.sh runs this suite against another release installed there.
  process.env.DAYTONA_SDK_MATRIX_DIR,
);

const fake = useFakeServer(tracing, startFakeDaytona);
let daytona: InstanceType<typeof Daytona>;
beforeAll(() => {
  daytona = new Daytona({ ...fake().config, useDeprecatedPolling: true });
});

/** Daytona's hourly list prices per second: $0.0504/vCPU, $0.0162/GiB of memory, $0.000108/GiB of disk. */
const usdPerSecond = (vcpu: number, memoryGib: number, diskGib: number) =>
  (vcpu * 0.0504 + memoryGib * 0.0162 + diskGib * 0.000108) / 3600;

const sized = { language: 'python' as const, autoStopInterval: 0, resources: { cpu: 2, memory: 4, disk: 10 } };

it('bills-vcpu-memory-and-disk-from-create-to-stop', async () => {
  const root = provider.getTracer('test').startSpan('agent');
  await context.with(trace.setSpan(context.active(), root), async () => {
    const sandbox = await daytona.create(sized);
    clock.advanceSeconds(600);
    fake().nextResult({ exitCode: 0, result: 'ok\n' });
    expect((await sandbox.process.executeCommand('echo ok')).result).toBe('ok\n');
    clock.advanceSeconds(300);
    await sandbox.stop();
  });
  root.end();

  expect(intervals()).toHaveLength(1);
  const interval = intervals()[0]!;
  expect(interval.attributes).toMatchObject({
    [ATTR_COMPUTE_PROVIDER]: 'daytona',
    [ATTR_COMPUTE_SANDBOX_ID]: 'dtn-sbx-0001',
    [ATTR_COMPUTE_VCPU]: 2,
    [ATTR_COMPUTE_MEMORY_MIB]: 4096,
    [ATTR_COMPUTE_DISK_GIB]: 10,
    [ATTR_COMPUTE_BILLED_SECONDS]: 900,
    [ATTR_COMPUTE_END_REASON]: 'stopped',
    [ATTR_COMPUTE_CREATIONS]: 1,
  });
  // 900 s x (2 x 0.0504 + 4 x 0.0162 + 10 x 0.000108) / 3600 = 0.25 x 0.16668 = $0.04167
  expect(interval.attributes[ATTR_COST_USD]).toBeCloseTo(0.04167, 12);
  expect(interval.attributes[ATTR_COST_COMPUTE_DISK_USD]).toBeCloseTo(0.25 * 10 * 0.000108, 12);
  expect(interval.attributes[ATTR_COST_ESTIMATED]).toBeUndefined();
  // Usage sampling is off by default: no telemetry reads.
  expect(fake().requests.filter((r) => r.path.endsWith('/telemetry/metrics'))).toHaveLength(0);
  // The fake bills what Daytona would: the same 900 s.
  expect(fake().sandboxes.get('dtn-sbx-0001')!.runningMs).toEqual([900_000]);
  const agent = spans('agent')[0]!;
  expect(agent.attributes[ATTR_TRACE_COMPUTE_COST_USD]).toBeCloseTo(0.04167, 12);
  expect(agent.attributes[ATTR_TRACE_SANDBOX_RUNS]).toBe(1);
});

it('ends-the-interval-at-auto-stop-after-the-last-activity', async () => {
  const sandbox = await daytona.create({ ...sized, autoStopInterval: 15 });
  clock.advanceSeconds(300);
  await sandbox.process.codeRun('print(1)');
  // Idle from 300 s on: Daytona stops it 15 minutes later, at 1200 s.
  clock.advanceSeconds(3600);
  const interval = intervals()[0]!;
  expect(interval.attributes).toMatchObject({
    [ATTR_COMPUTE_END_REASON]: 'timeout',
    [ATTR_COMPUTE_BILLED_SECONDS]: 1200,
  });
  expect(interval.attributes[ATTR_COST_USD]).toBeCloseTo(1200 * usdPerSecond(2, 4, 10), 12);
  fake().tick();
  expect(fake().sandboxes.get(sandbox.id)!.runningMs).toEqual([1_200_000]);
  expect(openIntervalCount()).toBe(0);
});

it('stop-and-start-bill-two-intervals-and-one-creation', async () => {
  const sandbox = await daytona.create(sized);
  clock.advanceSeconds(60);
  await sandbox.stop();
  clock.advanceSeconds(3600);
  await sandbox.start();
  clock.advanceSeconds(30);
  await sandbox.delete();
  const [first, second] = intervals();
  expect(first!.attributes).toMatchObject({ [ATTR_COMPUTE_BILLED_SECONDS]: 60, [ATTR_COMPUTE_CREATIONS]: 1 });
  expect(second!.attributes).toMatchObject({ [ATTR_COMPUTE_BILLED_SECONDS]: 30, [ATTR_COMPUTE_END_REASON]: 'deleted' });
  expect(second!.attributes[ATTR_COMPUTE_CREATIONS]).toBeUndefined();
  expect(spans().map((s) => s.name)).toEqual([
    'daytona.sandbox.create',
    'daytona.sandbox',
    'daytona.sandbox.stop',
    'daytona.sandbox.start',
    'daytona.sandbox',
    'daytona.sandbox.delete',
  ]);
});

it('abandoned-sandbox-is-billed-to-its-auto-stop-and-estimated', async () => {
  const sandbox = await daytona.create({ ...sized, autoStopInterval: 15 });
  clock.advanceSeconds(60);
  await sandbox.fs.createFolder('/home/daytona/work', '755');
  clock.advanceSeconds(60);
  // Shutdown: the sandbox runs on until Daytona stops it, 15 minutes after the last call (at 60 s).
  instrumentation._intervals.abandonAll();
  const interval = intervals()[0]!;
  expect(interval.attributes).toMatchObject({
    [ATTR_COMPUTE_END_REASON]: 'abandoned',
    [ATTR_COMPUTE_BILLED_SECONDS]: 960,
    [ATTR_COST_ESTIMATED]: true,
  });
});

it('abandoned-sandbox-without-auto-stop-is-billed-to-shutdown', async () => {
  await daytona.create(sized);
  clock.advanceSeconds(45);
  instrumentation._intervals.abandonAll();
  expect(intervals()[0]!.attributes).toMatchObject({
    [ATTR_COMPUTE_END_REASON]: 'abandoned',
    [ATTR_COMPUTE_BILLED_SECONDS]: 45,
    [ATTR_COST_ESTIMATED]: true,
  });
});

it('traces-process-and-file-operations-with-the-sandbox-id', async () => {
  const sandbox = await daytona.create(sized);
  fake().nextResult({ exitCode: 3, result: 'boom' });
  const response = await sandbox.process.executeCommand('exit 3');
  expect(response.exitCode).toBe(3);
  await sandbox.fs.listFiles('/home/daytona');
  await sandbox.fs.getFileDetails('/home/daytona');
  const execute = spans('daytona.process.execute')[0]!;
  expect(execute.attributes).toMatchObject({ [ATTR_COMPUTE_SANDBOX_ID]: sandbox.id, [ATTR_PROCESS_EXIT_CODE]: 3 });
  expect(execute.attributes['process.command_line']).toBeUndefined();
  expect(spans('daytona.fs.listFiles')[0]!.attributes[ATTR_COMPUTE_SANDBOX_ID]).toBe(sandbox.id);
  expect(spans('daytona.fs.getFileDetails')).toHaveLength(1);
  // No cost on operation spans, and no command line unless content capture is on.
  expect(execute.attributes[ATTR_COST_USD]).toBeUndefined();
});

it('keeps-the-sdk-error-and-records-it', async () => {
  const sandbox = await daytona.create(sized);
  await sandbox.stop();
  // Archive of a running sandbox is refused by Daytona: the caller gets the SDK's own error.
  const other = await daytona.create(sized);
  const error = await other.archive().catch((e: unknown) => e);
  expect((error as Error).constructor.name).toMatch(/Daytona/);
  const archive = spans('daytona.sandbox.archive')[0]!;
  expect(archive.status.code).toBe(2);
  // The refused archive did not end the running interval.
  expect(instrumentation._intervals.isOpen(other.id)).toBe(true);
  expect(instrumentation._intervals.isOpen(sandbox.id)).toBe(false);
});

// Last: shuts the tracer provider down.
it('closes-a-leaked-sandbox-as-abandoned-at-provider-shutdown', async () => {
  await daytona.create({ ...sized, autoStopInterval: 15 });
  clock.advanceSeconds(30);
  expect(openIntervalCount()).toBe(1);
  await provider.shutdown();
  expect(openIntervalCount()).toBe(0);
  const interval = ended.filter((s) => s.name === SPAN_DAYTONA_SANDBOX).pop()!;
  expect(interval.attributes).toMatchObject({
    [ATTR_COMPUTE_END_REASON]: 'abandoned',
    [ATTR_COMPUTE_BILLED_SECONDS]: 900,
    [ATTR_COST_ESTIMATED]: true,
  });
  // Priced by the CostSpanProcessor before the exporters shut down.
  expect(interval.attributes[ATTR_COST_USD]).toBeCloseTo(900 * usdPerSecond(2, 4, 10), 12);
});
