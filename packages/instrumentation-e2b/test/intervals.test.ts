import {
  ATTR_COST_COMPUTE_USD,
  ATTR_COST_ESTIMATED,
  ATTR_COST_USD,
  ATTR_E2B_EXECUTION_ERROR_NAME,
  ATTR_E2B_SANDBOX_ACTIVE_SECONDS,
  ATTR_E2B_SANDBOX_BILLED_SECONDS,
  ATTR_E2B_SANDBOX_CPU_COUNT,
  ATTR_E2B_SANDBOX_END_REASON,
  ATTR_E2B_SANDBOX_ID,
  ATTR_E2B_SANDBOX_MEMORY_MIB,
  ATTR_E2B_TEMPLATE_ID,
  ATTR_ERROR_TYPE,
  ATTR_TRACE_COMPUTE_COST_USD,
  ATTR_TRACE_SANDBOX_RUNS,
  openIntervalCount,
} from '@agentburn/core';
import { context, trace } from '@opentelemetry/api';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type FakeE2B, startFakeE2B } from '../../../test/fakes/e2b-server';
import { reconcileSandbox } from '../src';
import { requireSdk, setupTracing, usdPerSecond } from './harness';

const tracing = setupTracing();
const { clock, instrumentation } = tracing;
const { ci, e2b } = requireSdk();
const { Sandbox } = ci;

let fake: FakeE2B;
let conn: { apiUrl: string; sandboxUrl: string; apiKey: string };
beforeAll(async () => {
  fake = await startFakeE2B({ now: () => clock.now(), templates: { big: { cpuCount: 8, memoryMB: 8192 } } });
  conn = fake.connection;
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

/** Runs `fn` inside a root span, returning it once ended. */
async function inRoot<T>(name: string, fn: () => Promise<T>): Promise<{ result: T; traceId: string; spanId: string }> {
  const root = tracing.tracer.startSpan(name);
  try {
    const result = await context.with(trace.setSpan(context.active(), root), fn);
    return { result, traceId: root.spanContext().traceId, spanId: root.spanContext().spanId };
  } finally {
    root.end();
  }
}

describe('running intervals', () => {
  it('bills-the-write-run-fix-loop-exactly', async () => {
    const { traceId, spanId } = await inRoot('agent', async () => {
      const sbx = await Sandbox.create({ ...conn });
      await instrumentation.settled();
      clock.advanceSeconds(30);
      fake.controls.nextExecution({ error: { name: 'ZeroDivisionError', value: 'division by zero' } });
      const failed = await sbx.runCode('1/0');
      expect(failed.error?.name).toBe('ZeroDivisionError');
      clock.advanceSeconds(30);
      fake.controls.nextExecution({ result: '0.5' });
      expect((await sbx.runCode('1/2')).text).toBe('0.5');
      clock.advanceSeconds(30);
      expect(await sbx.kill()).toBe(true);
    });

    const [interval] = tracing.intervals();
    expect(tracing.intervals()).toHaveLength(1);
    // code-interpreter-v1 is 2 vCPU / 2048 MiB: 90 s x (2 x 0.000014 + 2 x 0.0000045) = 90 x 0.000037 = $0.00333
    expect(interval!.attributes).toMatchObject({
      [ATTR_E2B_SANDBOX_ID]: 'sbx0001fake',
      [ATTR_E2B_TEMPLATE_ID]: 'code-interpreter-v1',
      [ATTR_E2B_SANDBOX_CPU_COUNT]: 2,
      [ATTR_E2B_SANDBOX_MEMORY_MIB]: 2048,
      [ATTR_E2B_SANDBOX_BILLED_SECONDS]: 90,
      [ATTR_E2B_SANDBOX_END_REASON]: 'killed',
    });
    expect(interval!.attributes[ATTR_COST_USD]).toBeCloseTo(0.00333, 12);
    expect(interval!.attributes[ATTR_COST_COMPUTE_USD]).toBeCloseTo(0.00333, 12);
    expect(interval!.attributes[ATTR_COST_ESTIMATED]).not.toBe(true);
    // Parented to the caller's span, so the trace's sum includes compute.
    expect(interval!.spanContext().traceId).toBe(traceId);
    expect(interval!.parentSpanContext?.spanId).toBe(spanId);

    const runs = tracing.spans('e2b.run_code');
    expect(runs.map((s) => s.attributes[ATTR_E2B_EXECUTION_ERROR_NAME])).toEqual(['ZeroDivisionError', undefined]);
    // Operation spans never carry a price.
    for (const span of tracing.spans().filter((s) => s.name !== 'e2b.sandbox')) {
      expect(span.attributes[ATTR_COST_USD]).toBeUndefined();
    }
    expect(tracing.spans().map((s) => s.name)).toEqual([
      'e2b.sandbox.create',
      'e2b.run_code',
      'e2b.run_code',
      'e2b.sandbox',
      'e2b.sandbox.kill',
      'agent',
    ]);
    const root = tracing.spans('agent')[0]!;
    expect(root.attributes[ATTR_TRACE_COMPUTE_COST_USD]).toBeCloseTo(0.00333, 12);
    expect(root.attributes[ATTR_TRACE_SANDBOX_RUNS]).toBe(2);
    expect(openIntervalCount()).toBe(0);
  });

  it('counts-overlapping-operations-once-in-active-seconds', async () => {
    const sbx = await Sandbox.create({ ...conn });
    fake.controls.nextCommand({ hold: true });
    const handle = await sbx.commands.run('python server.py', { background: true });
    clock.advanceSeconds(10);
    fake.controls.nextExecution({ stdout: ['tick\n'] });
    // The clock moves 5 s while the cell runs, inside the command's 20 s.
    await sbx.runCode('print("tick")', { onStdout: () => clock.advanceSeconds(5) });
    clock.advanceSeconds(5);
    fake.controls.heldCommands()[0]!.release(0);
    await handle.wait();
    clock.advanceSeconds(40);
    await sbx.kill();
    const [interval] = tracing.intervals();
    expect(interval!.attributes[ATTR_E2B_SANDBOX_ACTIVE_SECONDS]).toBe(20);
    expect(interval!.attributes[ATTR_E2B_SANDBOX_BILLED_SECONDS]).toBe(60);
  });

  it('keeps-one-interval-for-a-sandbox-reused-across-traces', async () => {
    const created = await inRoot('turn-1', () => Sandbox.create({ ...conn }));
    const id = created.result.sandboxId;
    clock.advanceSeconds(10);
    const second = await inRoot('turn-2', () => created.result.runCode('x = 1'));
    clock.advanceSeconds(10);
    await inRoot('turn-3', () => created.result.kill());

    expect(tracing.intervals()).toHaveLength(1);
    const interval = tracing.intervals()[0]!;
    expect(interval.spanContext().traceId).toBe(created.traceId);
    expect(interval.attributes[ATTR_E2B_SANDBOX_BILLED_SECONDS]).toBe(20);
    const run = tracing.spans('e2b.run_code')[0]!;
    expect(run.spanContext().traceId).toBe(second.traceId);
    expect(run.attributes[ATTR_E2B_SANDBOX_ID]).toBe(id);
  });

  it('connect-by-id-extends-the-same-interval', async () => {
    const sbx = await Sandbox.create({ ...conn, timeoutMs: 60_000 });
    clock.advanceSeconds(50);
    // Another object for the same sandbox; its lifetime is extended to 50 + 600 s.
    const same = await Sandbox.connect(sbx.sandboxId, { ...conn, timeoutMs: 600_000 });
    expect(same).not.toBe(sbx);
    clock.advanceSeconds(100);
    await same.runCode('x');
    await same.kill();
    expect(tracing.intervals()).toHaveLength(1);
    expect(tracing.intervals()[0]!.attributes).toMatchObject({
      [ATTR_E2B_SANDBOX_BILLED_SECONDS]: 150,
      [ATTR_E2B_SANDBOX_END_REASON]: 'killed',
    });
    const connect = tracing.spans('e2b.sandbox.connect');
    expect(connect).toHaveLength(1);
    expect(connect[0]!.attributes[ATTR_E2B_SANDBOX_ID]).toBe(sbx.sandboxId);
  });

  it('pause-and-resume-bill-two-intervals-and-not-the-pause', async () => {
    const sbx = await Sandbox.create({ ...conn });
    clock.advanceSeconds(10);
    expect(await sbx.pause()).toBe(true);
    clock.advanceSeconds(1000);
    await sbx.connect();
    clock.advanceSeconds(20);
    await sbx.kill();
    const intervals = tracing.intervals();
    expect(
      intervals.map((s) => [s.attributes[ATTR_E2B_SANDBOX_BILLED_SECONDS], s.attributes[ATTR_E2B_SANDBOX_END_REASON]]),
    ).toEqual([
      [10, 'paused'],
      [20, 'killed'],
    ]);
    // (10 + 20) s x 0.000037 = $0.00111
    const total = intervals.reduce((sum, s) => sum + (s.attributes[ATTR_COST_USD] as number), 0);
    expect(total).toBeCloseTo(30 * usdPerSecond(2, 2048), 12);
    expect(total).toBeCloseTo(0.00111, 12);
    expect(tracing.spans('e2b.sandbox.pause')).toHaveLength(1);
  });

  it('ends-at-expiry-as-timeout-while-alive', async () => {
    const sbx = await Sandbox.create({ ...conn, timeoutMs: 60_000 });
    clock.advanceSeconds(90);
    const [interval] = tracing.intervals();
    expect(interval!.attributes).toMatchObject({
      [ATTR_E2B_SANDBOX_BILLED_SECONDS]: 60,
      [ATTR_E2B_SANDBOX_END_REASON]: 'timeout',
    });
    expect(interval!.endTime).toEqual(interval!.startTime.map((v, i) => (i === 0 ? v + 60 : v)));
    // E2B already removed it: kill finds nothing, and nothing is billed twice.
    expect(await sbx.kill()).toBe(false);
    expect(tracing.intervals()).toHaveLength(1);
  });

  it('set-timeout-moves-the-expiry', async () => {
    const sbx = await Sandbox.create({ ...conn, timeoutMs: 60_000 });
    clock.advanceSeconds(30);
    await sbx.setTimeout(120_000);
    clock.advanceSeconds(200);
    expect(tracing.intervals()[0]!.attributes).toMatchObject({
      [ATTR_E2B_SANDBOX_BILLED_SECONDS]: 150,
      [ATTR_E2B_SANDBOX_END_REASON]: 'timeout',
    });
    expect(tracing.spans('e2b.sandbox.set_timeout')[0]!.attributes[ATTR_E2B_SANDBOX_ID]).toBe(sbx.sandboxId);
  });

  it('keeps-the-set-timeout-expiry-over-a-stale-getinfo-answer', async () => {
    // The size lookup after create reads the 60 s expiry; its answer arrives only after setTimeout.
    const held = fake.controls.holdNextResponse({ server: 'api', method: 'GET', path: /^\/sandboxes\// });
    const sbx = await Sandbox.create({ ...conn, timeoutMs: 60_000 });
    await held.answered;
    await sbx.setTimeout(600_000);
    held.release();
    await instrumentation.settled();
    clock.advanceSeconds(100);
    // Still running at 100 s: the stale 60 s expiry did not end it.
    expect(tracing.intervals()).toHaveLength(0);
    await sbx.kill();
    expect(tracing.intervals()[0]!.attributes).toMatchObject({
      [ATTR_E2B_SANDBOX_BILLED_SECONDS]: 100,
      [ATTR_E2B_SANDBOX_END_REASON]: 'killed',
    });
  });

  it('applies-a-getinfo-expiry-shorter-than-the-estimate', async () => {
    // Another client shortened the sandbox's life: connect's lookup learns the real expiry.
    const sbx = await Sandbox.create({ ...conn, timeoutMs: 600_000 });
    await instrumentation.settled();
    const shortened = await fetch(`${conn.apiUrl}/sandboxes/${sbx.sandboxId}/timeout`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': conn.apiKey },
      body: JSON.stringify({ timeout: 60 }),
    });
    expect(shortened.status).toBe(204);
    clock.advanceSeconds(10);
    await Sandbox.connect(sbx.sandboxId, { ...conn, timeoutMs: 30_000 });
    await instrumentation.settled();
    clock.advanceSeconds(100);
    // The other client set the expiry to 60 s; connect only extends, to max(60, 10 + 30) s.
    expect(tracing.intervals()[0]!.attributes).toMatchObject({
      [ATTR_E2B_SANDBOX_BILLED_SECONDS]: 60,
      [ATTR_E2B_SANDBOX_END_REASON]: 'timeout',
    });
  });

  it('ends-as-paused-when-the-lifecycle-pauses-on-timeout', async () => {
    const sbx = await Sandbox.create({ ...conn, timeoutMs: 60_000, lifecycle: { onTimeout: 'pause' } });
    clock.advanceSeconds(61);
    expect(tracing.intervals()[0]!.attributes).toMatchObject({
      [ATTR_E2B_SANDBOX_BILLED_SECONDS]: 60,
      [ATTR_E2B_SANDBOX_END_REASON]: 'paused',
    });
    fake.controls.tick();
    expect(fake.sandboxes.get(sbx.sandboxId)?.state).toBe('paused');
  });

  it('opens-a-new-interval-when-traffic-resumes-an-auto-paused-sandbox', async () => {
    const sbx = await Sandbox.create({
      ...conn,
      timeoutMs: 60_000,
      lifecycle: { onTimeout: 'pause', autoResume: true },
    });
    clock.advanceSeconds(500);
    await sbx.runCode('x = 1');
    clock.advanceSeconds(15);
    await sbx.kill();
    expect(
      tracing
        .intervals()
        .map((s) => [s.attributes[ATTR_E2B_SANDBOX_BILLED_SECONDS], s.attributes[ATTR_E2B_SANDBOX_END_REASON]]),
    ).toEqual([
      [60, 'paused'],
      [15, 'killed'],
    ]);
  });

  it('ends-as-lost-when-the-sandbox-vanishes-mid-run', async () => {
    const sbx = await Sandbox.create({ ...conn });
    clock.advanceSeconds(20);
    fake.controls.loseSandbox(sbx.sandboxId);
    clock.advanceSeconds(5);
    const error = await sbx.runCode('x').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(e2b.TimeoutError);
    await instrumentation.settled();
    expect(tracing.intervals()[0]!.attributes).toMatchObject({
      [ATTR_E2B_SANDBOX_BILLED_SECONDS]: 25,
      [ATTR_E2B_SANDBOX_END_REASON]: 'lost',
      [ATTR_COST_ESTIMATED]: true,
    });
    expect(tracing.spans('e2b.run_code')[0]!.attributes[ATTR_ERROR_TYPE]).toBe('TimeoutError');
  });

  it('ends-as-lost-when-kill-finds-nothing', async () => {
    const sbx = await Sandbox.create({ ...conn });
    clock.advanceSeconds(12);
    fake.controls.loseSandbox(sbx.sandboxId);
    expect(await sbx.kill()).toBe(false);
    expect(tracing.intervals()[0]!.attributes).toMatchObject({
      [ATTR_E2B_SANDBOX_BILLED_SECONDS]: 12,
      [ATTR_E2B_SANDBOX_END_REASON]: 'lost',
    });
  });

  it('rounds-a-started-second-up', async () => {
    const sbx = await Sandbox.create({ ...conn });
    clock.advance(10_001);
    await sbx.kill();
    expect(tracing.intervals()[0]!.attributes[ATTR_E2B_SANDBOX_BILLED_SECONDS]).toBe(11);
  });
});

describe('sizes', () => {
  it('reads-the-size-from-getinfo', async () => {
    const sbx = await e2b.Sandbox.create('big', { ...conn });
    await instrumentation.settled();
    clock.advanceSeconds(10);
    await sbx.kill();
    // 10 s x (8 x 0.000014 + 8 x 0.0000045) = 10 x 0.000148 = $0.00148
    expect(tracing.intervals()[0]!.attributes).toMatchObject({
      [ATTR_E2B_SANDBOX_CPU_COUNT]: 8,
      [ATTR_E2B_SANDBOX_MEMORY_MIB]: 8192,
      [ATTR_E2B_TEMPLATE_ID]: 'big',
    });
    expect(tracing.intervals()[0]!.attributes[ATTR_COST_USD]).toBeCloseTo(0.00148, 12);
    // The lookup is not traced and not in the caller's trace.
    expect(tracing.spans().map((s) => s.name)).toEqual(['e2b.sandbox.create', 'e2b.sandbox', 'e2b.sandbox.kill']);
    expect(fake.requests.filter((r) => r.method === 'GET' && r.path === `/sandboxes/${sbx.sandboxId}`)).toHaveLength(1);
  });

  it('falls-back-to-the-template-table-when-getinfo-fails', async () => {
    fake.controls.failNext({ status: 500, match: { server: 'api', method: 'GET', path: /^\/sandboxes\// } });
    const sbx = await e2b.Sandbox.create('code-interpreter-v1', { ...conn });
    await instrumentation.settled();
    clock.advanceSeconds(100);
    await sbx.kill();
    const [interval] = tracing.intervals();
    expect(interval!.attributes).toMatchObject({
      [ATTR_E2B_SANDBOX_CPU_COUNT]: 2,
      [ATTR_E2B_SANDBOX_MEMORY_MIB]: 2048,
      [ATTR_E2B_SANDBOX_BILLED_SECONDS]: 100,
    });
    // 100 s x 0.000037 = $0.0037
    expect(interval!.attributes[ATTR_COST_USD]).toBeCloseTo(0.0037, 12);
    expect(tracing.spans('e2b.sandbox.create')[0]!.status.code).toBe(0);
  });

  it('leaves-an-unknown-template-unsized-when-getinfo-fails', async () => {
    fake.controls.failNext({ status: 500, match: { server: 'api', method: 'GET', path: /^\/sandboxes\// } });
    const sbx = await e2b.Sandbox.create('big', { ...conn });
    await instrumentation.settled();
    await sbx.kill();
    const [interval] = tracing.intervals();
    expect(interval!.attributes[ATTR_E2B_SANDBOX_CPU_COUNT]).toBeUndefined();
    expect(interval!.attributes[ATTR_E2B_SANDBOX_MEMORY_MIB]).toBeUndefined();
    // The processor prices it at the base size and says so.
    expect(interval!.attributes[ATTR_COST_ESTIMATED]).toBe(true);
  });
});

describe('errors', () => {
  it('records-rate-limit-and-opens-no-interval', async () => {
    fake.controls.failNext({ status: 429, match: { server: 'api', path: '/v2/sandboxes' } });
    const error = await Sandbox.create({ ...conn }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(e2b.RateLimitError);
    const [span] = tracing.spans('e2b.sandbox.create');
    expect(span!.attributes[ATTR_ERROR_TYPE]).toBe('RateLimitError');
    expect(span!.status.code).toBe(2);
    expect(tracing.intervals()).toHaveLength(0);
    expect(openIntervalCount()).toBe(0);
  });

  it('records-authentication-errors', async () => {
    const error = await Sandbox.create({ ...conn, apiKey: 'e2b_wrong' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(e2b.AuthenticationError);
    expect(tracing.spans('e2b.sandbox.create')[0]!.attributes[ATTR_ERROR_TYPE]).toBe('AuthenticationError');
  });

  it('records-transport-failures', async () => {
    const error = await Sandbox.create({ ...conn, apiUrl: 'http://127.0.0.1:1', retries: 0 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    const [span] = tracing.spans('e2b.sandbox.create');
    expect(span!.attributes[ATTR_ERROR_TYPE]).toBe((error as Error).constructor.name);
    expect(span!.status.code).toBe(2);
  });

  it('rate-limited-run-code-keeps-the-interval-running', async () => {
    const sbx = await Sandbox.create({ ...conn });
    clock.advanceSeconds(5);
    fake.controls.failNext({ status: 429, match: { server: 'sandbox', path: '/execute' } });
    const error = await sbx.runCode('x').catch((e: unknown) => e);
    // The code interpreter reports a throttled execution as a SandboxError ("429 Too Many Requests").
    expect(error).toBeInstanceOf(e2b.SandboxError);
    expect((error as Error).message).toContain('429');
    await instrumentation.settled();
    expect(tracing.spans('e2b.run_code')[0]!.attributes[ATTR_ERROR_TYPE]).toBe('SandboxError');
    // Throttled, not gone: still billed.
    expect(tracing.intervals()).toHaveLength(0);
    clock.advanceSeconds(5);
    await sbx.kill();
    expect(tracing.intervals()[0]!.attributes).toMatchObject({
      [ATTR_E2B_SANDBOX_BILLED_SECONDS]: 10,
      [ATTR_E2B_SANDBOX_END_REASON]: 'killed',
    });
  });

  it('ends-as-lost-when-set-timeout-finds-no-sandbox', async () => {
    const sbx = await Sandbox.create({ ...conn });
    clock.advanceSeconds(7);
    fake.controls.loseSandbox(sbx.sandboxId);
    const error = await sbx.setTimeout(60_000).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(e2b.SandboxNotFoundError);
    expect(tracing.intervals()[0]!.attributes[ATTR_E2B_SANDBOX_END_REASON]).toBe('lost');
    expect(tracing.spans('e2b.sandbox.set_timeout')[0]!.attributes[ATTR_ERROR_TYPE]).toBe('SandboxNotFoundError');
  });
});

describe('reconciliation', () => {
  // E2B's event timestamps have whole-second resolution: start each test on a whole second.
  beforeEach(() => clock.advance((1000 - (clock.now() % 1000)) % 1000));

  it('matches-recorded-seconds-against-lifecycle-events', async () => {
    const sbx = await Sandbox.create({ ...conn });
    clock.advanceSeconds(40);
    await sbx.pause();
    clock.advanceSeconds(600);
    await sbx.connect();
    clock.advanceSeconds(25);
    await sbx.setTimeout(60_000);
    clock.advanceSeconds(5);
    await sbx.kill();
    const recorded = instrumentation.recordedSeconds(sbx.sandboxId);
    expect(recorded).toBe(70);
    const report = await reconcileSandbox(sbx.sandboxId, {
      apiUrl: conn.apiUrl,
      apiKey: conn.apiKey,
      recordedSeconds: recorded,
      now: () => clock.now(),
    });
    // created 0 s, paused 40 s, resumed 640 s, updated 665 s, killed 670 s: 40 + 30 running seconds.
    expect(report).toEqual({
      sandboxId: sbx.sandboxId,
      eventSeconds: 70,
      recordedSeconds: 70,
      differenceSeconds: 0,
      running: false,
      events: 5,
    });
  });

  it('counts-a-still-running-sandbox-up-to-now', async () => {
    const sbx = await Sandbox.create({ ...conn });
    clock.advanceSeconds(12);
    const report = await reconcileSandbox(sbx.sandboxId, {
      apiUrl: conn.apiUrl,
      apiKey: conn.apiKey,
      recordedSeconds: instrumentation.recordedSeconds(sbx.sandboxId),
      now: () => clock.now(),
    });
    expect(report).toMatchObject({ eventSeconds: 12, recordedSeconds: 12, differenceSeconds: 0, running: true });
    // The lookup is not traced.
    expect(tracing.spans().map((s) => s.name)).toEqual(['e2b.sandbox.create']);
  });
});
