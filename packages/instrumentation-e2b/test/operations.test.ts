import {
  ATTR_COST_USD,
  ATTR_E2B_COMMAND_BACKGROUND,
  ATTR_E2B_EXECUTION_STDOUT,
  ATTR_E2B_RUN_CODE_CODE,
  ATTR_E2B_RUN_CODE_LANGUAGE,
  ATTR_E2B_SANDBOX_BILLED_SECONDS,
  ATTR_E2B_SANDBOX_END_REASON,
  ATTR_E2B_SANDBOX_ID,
  ATTR_ERROR_TYPE,
  ATTR_FILE_PATH,
  ATTR_PROCESS_COMMAND_LINE,
  ATTR_PROCESS_EXIT_CODE,
  closeAllOpenIntervals,
} from '@agentburn/core';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type FakeE2B, startFakeE2B } from '../../../test/fakes/e2b-server';
import { E2BInstrumentation } from '../src';
import { requireSdk, setupTracing } from './harness';

const tracing = setupTracing();
const { clock, instrumentation } = tracing;
const { ci, e2b } = requireSdk();
const { Sandbox } = ci;

let fake: FakeE2B;
let conn: { apiUrl: string; sandboxUrl: string; apiKey: string };
beforeAll(async () => {
  fake = await startFakeE2B({ now: () => clock.now() });
  conn = fake.connection;
});
afterEach(async () => {
  instrumentation.setConfig({ ...instrumentation.getConfig(), captureContent: undefined });
  await instrumentation.settled();
  instrumentation._intervals.abandonAll();
  fake.reset();
  tracing.exporter.reset();
});
afterAll(async () => {
  await fake.close();
});

/** Every attribute key and string value of the spans, for privacy checks. */
function recorded(spans: ReadableSpan[]): string {
  return JSON.stringify(spans.map((s) => [s.name, s.attributes, s.events]));
}

describe('operation spans', () => {
  it('traces-file-operations-with-the-sandbox-id', async () => {
    const sbx = await Sandbox.create({ ...conn });
    await sbx.files.write('/home/user/a.py', 'print(1)');
    await sbx.files.writeFiles([{ path: '/home/user/b.py', data: 'print(2)' }]);
    expect(await sbx.files.read('/home/user/a.py')).toBe('print(1)');
    expect(await sbx.files.exists('/home/user/a.py')).toBe(true);
    await sbx.files.list('/home/user');
    await sbx.files.makeDir('/home/user/out');
    await sbx.files.rename('/home/user/b.py', '/home/user/c.py');
    await sbx.files.getInfo('/home/user/c.py');
    await sbx.files.remove('/home/user/c.py');
    const files = tracing.spans().filter((s) => s.name.startsWith('e2b.files.'));
    // writeFiles goes through write: one span, not two.
    expect(files.map((s) => s.name)).toEqual([
      'e2b.files.write',
      'e2b.files.write',
      'e2b.files.read',
      'e2b.files.exists',
      'e2b.files.list',
      'e2b.files.makeDir',
      'e2b.files.rename',
      'e2b.files.getInfo',
      'e2b.files.remove',
    ]);
    for (const span of files) {
      expect(span.attributes[ATTR_E2B_SANDBOX_ID]).toBe(sbx.sandboxId);
      expect(span.attributes[ATTR_FILE_PATH]).toBeUndefined();
      expect(span.attributes[ATTR_COST_USD]).toBeUndefined();
    }
  });

  it('file-not-found-does-not-end-the-interval', async () => {
    const sbx = await Sandbox.create({ ...conn });
    const error = await sbx.files.read('/nope').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(e2b.FileNotFoundError);
    await instrumentation.settled();
    expect(tracing.spans('e2b.files.read')[0]!.attributes[ATTR_ERROR_TYPE]).toBe('FileNotFoundError');
    expect(tracing.intervals()).toHaveLength(0);
    await sbx.kill();
    expect(tracing.intervals()[0]!.attributes[ATTR_E2B_SANDBOX_END_REASON]).toBe('killed');
  });

  it('records-the-exit-code-of-a-foreground-command', async () => {
    const sbx = await Sandbox.create({ ...conn });
    const result = await sbx.commands.run('echo ok');
    expect(result.stdout).toBe('ok\n');
    const [span] = tracing.spans('e2b.commands.run');
    expect(span!.attributes).toMatchObject({
      [ATTR_E2B_SANDBOX_ID]: sbx.sandboxId,
      [ATTR_PROCESS_EXIT_CODE]: 0,
      [ATTR_E2B_COMMAND_BACKGROUND]: false,
    });
    expect(span!.status.code).toBe(0);
  });

  it('records-a-non-zero-exit-and-rethrows-the-sdk-error', async () => {
    const sbx = await Sandbox.create({ ...conn });
    fake.controls.nextCommand({ exitCode: 3, stderr: 'failed' });
    const error = await sbx.commands.run('pytest').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(e2b.CommandExitError);
    expect((error as { exitCode: number }).exitCode).toBe(3);
    expect((error as { stderr: string }).stderr).toBe('failed');
    const [span] = tracing.spans('e2b.commands.run');
    expect(span!.attributes).toMatchObject({ [ATTR_PROCESS_EXIT_CODE]: 3, [ATTR_ERROR_TYPE]: 'CommandExitError' });
    expect(span!.status.code).toBe(2);
  });

  it('passes-the-very-same-error-instance-to-the-caller', async () => {
    const sbx = await Sandbox.create({ ...conn });
    const mine = new Error('stop reading');
    fake.controls.nextExecution({ stdout: ['a\n'] });
    const caught = await sbx
      .runCode('print("a")', {
        onStdout: () => {
          throw mine;
        },
      })
      .catch((e: unknown) => e);
    expect(caught).toBe(mine);
    expect(tracing.spans('e2b.run_code')[0]!.attributes[ATTR_ERROR_TYPE]).toBe('Error');
  });

  it('ends-a-background-command-span-when-the-handle-settles', async () => {
    const sbx = await Sandbox.create({ ...conn });
    fake.controls.nextCommand({ hold: true, stdout: 'served\n' });
    const handle = await sbx.commands.run('python -m http.server', { background: true });
    expect(typeof handle.pid).toBe('number');
    expect(tracing.spans('e2b.commands.run')).toHaveLength(0);
    fake.controls.heldCommands()[0]!.release(0);
    await handle.wait();
    await new Promise((resolve) => setImmediate(resolve));
    const [span] = tracing.spans('e2b.commands.run');
    expect(span!.attributes).toMatchObject({ [ATTR_E2B_COMMAND_BACKGROUND]: true, [ATTR_PROCESS_EXIT_CODE]: 0 });
  });

  it('fails-a-killed-background-command-with-its-exit', async () => {
    const sbx = await Sandbox.create({ ...conn });
    fake.controls.nextCommand({ hold: true });
    const handle = await sbx.commands.run('sleep 1000', { background: true });
    expect(await sbx.commands.kill(handle.pid)).toBe(true);
    await handle.wait().catch(() => undefined);
    await new Promise((resolve) => setImmediate(resolve));
    expect(tracing.spans('e2b.commands.kill')[0]!.attributes[ATTR_E2B_SANDBOX_ID]).toBe(sbx.sandboxId);
    const [run] = tracing.spans('e2b.commands.run');
    expect(run!.attributes).toMatchObject({ [ATTR_PROCESS_EXIT_CODE]: -1, [ATTR_ERROR_TYPE]: 'CommandExitError' });
  });

  it('ends-a-background-command-span-on-disconnect', async () => {
    const sbx = await Sandbox.create({ ...conn });
    fake.controls.nextCommand({ hold: true });
    const handle = await sbx.commands.run('python -m http.server', { background: true });
    await handle.disconnect();
    await handle.wait().catch(() => undefined);
    await new Promise((resolve) => setImmediate(resolve));
    // The command may still run: we stopped following it, which is no error.
    const [span] = tracing.spans('e2b.commands.run');
    expect(span!.status.code).toBe(0);
    expect(span!.attributes[ATTR_ERROR_TYPE]).toBeUndefined();
    expect(span!.attributes[ATTR_PROCESS_EXIT_CODE]).toBeUndefined();
  });

  it('ends-a-followed-background-command-at-shutdown', async () => {
    const sbx = await Sandbox.create({ ...conn });
    fake.controls.nextCommand({ hold: true });
    await sbx.commands.run('python -m http.server', { background: true });
    expect(tracing.spans('e2b.commands.run')).toHaveLength(0);
    // What CostSpanProcessor.shutdown() does: the interval ends as abandoned, and the command's span with it.
    expect(closeAllOpenIntervals()).toBe(1);
    const [span] = tracing.spans('e2b.commands.run');
    expect(span!.status.code).toBe(0);
    expect(span!.attributes[ATTR_E2B_COMMAND_BACKGROUND]).toBe(true);
    expect(tracing.intervals()[0]!.attributes[ATTR_E2B_SANDBOX_END_REASON]).toBe('abandoned');
    // The stream closing later does not end it twice.
    fake.controls.heldCommands()[0]!.release(0);
    await new Promise((resolve) => setImmediate(resolve));
    expect(tracing.spans('e2b.commands.run')).toHaveLength(1);
  });

  it('traces-code-contexts-and-the-language', async () => {
    const sbx = await Sandbox.create({ ...conn });
    const ctx = await sbx.createCodeContext({ language: 'js' });
    await sbx.runCode('1', { context: ctx });
    await sbx.runCode('1');
    expect(tracing.spans('e2b.code_context.create')[0]!.attributes[ATTR_E2B_RUN_CODE_LANGUAGE]).toBe('js');
    expect(tracing.spans('e2b.run_code').map((s) => s.attributes[ATTR_E2B_RUN_CODE_LANGUAGE])).toEqual([
      'js',
      'python',
    ]);
  });

  it('makes-one-span-per-kill-whichever-path', async () => {
    const a = await Sandbox.create({ ...conn });
    const b = await Sandbox.create({ ...conn });
    clock.advanceSeconds(3);
    await a.kill();
    await Sandbox.kill(b.sandboxId, { ...conn });
    const kills = tracing.spans('e2b.sandbox.kill');
    expect(kills.map((s) => s.attributes[ATTR_E2B_SANDBOX_ID])).toEqual([a.sandboxId, b.sandboxId]);
    expect(tracing.intervals().map((s) => s.attributes[ATTR_E2B_SANDBOX_BILLED_SECONDS])).toEqual([3, 3]);
  });

  it('makes-one-span-per-pause-through-the-deprecated-name', async () => {
    const sbx = await Sandbox.create({ ...conn });
    await sbx.betaPause();
    expect(tracing.spans('e2b.sandbox.pause')).toHaveLength(1);
    expect(tracing.intervals()[0]!.attributes[ATTR_E2B_SANDBOX_END_REASON]).toBe('paused');
  });
});

describe('subclasses', () => {
  it('covers-a-user-subclass', async () => {
    class MySandbox extends Sandbox {
      async hello() {
        return this.runCode('print("hello")');
      }
    }
    const sbx = await MySandbox.create({ ...conn });
    expect(sbx).toBeInstanceOf(MySandbox);
    await sbx.hello();
    clock.advanceSeconds(4);
    await sbx.kill();
    expect(tracing.spans().map((s) => s.name)).toEqual([
      'e2b.sandbox.create',
      'e2b.run_code',
      'e2b.sandbox',
      'e2b.sandbox.kill',
    ]);
    expect(tracing.intervals()[0]!.attributes[ATTR_E2B_SANDBOX_BILLED_SECONDS]).toBe(4);
  });

  it('covers-a-subclass-that-overrides-create', async () => {
    class Wrapped extends e2b.Sandbox {
      static async createBase(opts: object) {
        // biome-ignore lint/complexity/noThisInStatic: a subclass delegating to E2B's create is the case under test
        return super.create('base', opts);
      }
    }
    const sbx = await Wrapped.createBase({ ...conn });
    await sbx.kill();
    expect(tracing.spans('e2b.sandbox.create')).toHaveLength(1);
    expect(tracing.intervals()).toHaveLength(1);
  });

  it('covers-the-client-bound-sandbox-class', async () => {
    const client = new ci.E2B({ ...conn });
    const sbx = await client.Sandbox.create();
    await sbx.runCode('1');
    await sbx.kill();
    expect(tracing.spans().map((s) => s.name)).toEqual([
      'e2b.sandbox.create',
      'e2b.run_code',
      'e2b.sandbox',
      'e2b.sandbox.kill',
    ]);
  });

  it('never-patches-twice', async () => {
    instrumentation.disable();
    instrumentation.enable();
    instrumentation.manuallyInstrument(ci);
    instrumentation.manuallyInstrument(e2b);
    const second = new E2BInstrumentation({ clock });
    second.setTracerProvider(tracing.provider);
    second.manuallyInstrument(ci);
    const sbx = await Sandbox.create({ ...conn });
    await sbx.runCode('1');
    await sbx.files.exists('/x');
    await sbx.kill();
    expect(tracing.spans().map((s) => s.name)).toEqual([
      'e2b.sandbox.create',
      'e2b.run_code',
      'e2b.files.exists',
      'e2b.sandbox',
      'e2b.sandbox.kill',
    ]);
  });

  it('traces-a-sandbox-from-before-disable-after-re-enable', async () => {
    const sbx = await Sandbox.create({ ...conn });
    instrumentation.disable();
    instrumentation.enable();
    await sbx.commands.run('echo hi');
    await sbx.files.exists('/x');
    await sbx.runCode('1');
    clock.advanceSeconds(6);
    await sbx.kill();
    expect(tracing.spans().map((s) => s.name)).toEqual([
      'e2b.sandbox.create',
      'e2b.commands.run',
      'e2b.files.exists',
      'e2b.run_code',
      'e2b.sandbox',
      'e2b.sandbox.kill',
    ]);
    expect(tracing.spans('e2b.commands.run')[0]!.attributes[ATTR_E2B_SANDBOX_ID]).toBe(sbx.sandboxId);
    expect(tracing.intervals()[0]!.attributes[ATTR_E2B_SANDBOX_BILLED_SECONDS]).toBe(6);
  });

  it('unpatches-on-disable', async () => {
    instrumentation.disable();
    try {
      const sbx = await Sandbox.create({ ...conn });
      await sbx.runCode('1');
      await sbx.kill();
      expect(tracing.spans()).toHaveLength(0);
    } finally {
      instrumentation.enable();
    }
  });
});

describe('privacy', () => {
  it('records-no-content-by-default', async () => {
    const sbx = await Sandbox.create({ ...conn });
    fake.controls.nextExecution({ stdout: ['secret output\n'] });
    await sbx.runCode('print("secret output")');
    await sbx.commands.run('echo secret-cmd');
    await sbx.files.write('/home/user/secret.txt', 'x');
    const text = recorded(tracing.spans());
    expect(text).not.toContain('secret');
    for (const key of [ATTR_E2B_RUN_CODE_CODE, ATTR_E2B_EXECUTION_STDOUT, ATTR_PROCESS_COMMAND_LINE, ATTR_FILE_PATH]) {
      expect(text).not.toContain(key);
    }
  });

  it('records-content-on-opt-in', async () => {
    instrumentation.setConfig({ ...instrumentation.getConfig(), captureContent: true });
    const sbx = await Sandbox.create({ ...conn });
    fake.controls.nextExecution({ stdout: ['2\n'] });
    await sbx.runCode('print(1 + 1)');
    await sbx.commands.run('echo hi');
    await sbx.files.write('/home/user/a.txt', 'x');
    expect(tracing.spans('e2b.run_code')[0]!.attributes).toMatchObject({
      [ATTR_E2B_RUN_CODE_CODE]: 'print(1 + 1)',
      [ATTR_E2B_EXECUTION_STDOUT]: '2\n',
    });
    expect(tracing.spans('e2b.commands.run')[0]!.attributes).toMatchObject({
      [ATTR_PROCESS_COMMAND_LINE]: 'echo hi',
      [ATTR_E2B_EXECUTION_STDOUT]: 'hi\n',
    });
    expect(tracing.spans('e2b.files.write')[0]!.attributes[ATTR_FILE_PATH]).toBe('/home/user/a.txt');
  });

  it('never-records-environment-variables', async () => {
    instrumentation.setConfig({ ...instrumentation.getConfig(), captureContent: true });
    const sbx = await Sandbox.create({ ...conn, envs: { CREATE_TOKEN: 'create-value-1' } });
    await sbx.runCode('import os', { envs: { RUN_TOKEN: 'run-value-2' } });
    await sbx.commands.run('id', { envs: { CMD_TOKEN: 'cmd-value-3' } });
    // They reached the sandbox ...
    expect(fake.executions[0]!.envVars).toEqual({ RUN_TOKEN: 'run-value-2' });
    expect(fake.commands[0]!.envs).toEqual({ CMD_TOKEN: 'cmd-value-3' });
    // ... and no span holds a key or a value.
    const text = recorded(tracing.spans());
    for (const secret of ['CREATE_TOKEN', 'create-value-1', 'RUN_TOKEN', 'run-value-2', 'CMD_TOKEN', 'cmd-value-3']) {
      expect(text).not.toContain(secret);
    }
    const keys = tracing.spans().flatMap((s) => Object.keys(s.attributes));
    expect(keys.filter((k) => /env/i.test(k))).toEqual([]);
  });
});
