import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../test/fakes/e2b-clock';
import { type FakeE2B, startFakeE2B } from '../../../test/fakes/e2b-server';

const require = createRequire(import.meta.url);

describe('e2b fake', () => {
  let fake: FakeE2B;
  const clock = new ManualClock();
  beforeAll(async () => {
    fake = await startFakeE2B({ now: () => clock.now() });
  });
  afterAll(async () => {
    await fake.close();
  });

  it('speaks-the-sdk-wire-formats', async () => {
    const { Sandbox } = require('@e2b/code-interpreter');
    const sbx = await Sandbox.create({ ...fake.connection });
    const info = await sbx.getInfo();
    expect(info.memoryMB).toBe(2048);
    fake.controls.nextExecution({ stdout: ['hi\n'], result: '2' });
    const exec = await sbx.runCode('1+1');
    expect(exec.text).toBe('2');
    expect(exec.logs.stdout).toEqual(['hi\n']);
    const ctx = await sbx.createCodeContext({ language: 'python' });
    expect(ctx.id).toBe('ctx1');
    const r = await sbx.commands.run('echo hello');
    expect(r.stdout).toBe('hello\n');
    fake.controls.nextCommand({ exitCode: 2, stderr: 'boom' });
    await expect(sbx.commands.run('false')).rejects.toMatchObject({ exitCode: 2 });
    await sbx.files.write('/home/user/a.txt', 'abc');
    expect(await sbx.files.read('/home/user/a.txt')).toBe('abc');
    expect(await sbx.files.exists('/home/user/a.txt')).toBe(true);
    expect(await sbx.files.exists('/home/user/b.txt')).toBe(false);
    expect((await sbx.files.list('/home/user')).map((e: { name: string }) => e.name)).toEqual(['a.txt']);
    expect(await sbx.files.makeDir('/home/user/d')).toBe(true);
    await sbx.files.rename('/home/user/a.txt', '/home/user/b.txt');
    await sbx.files.remove('/home/user/b.txt');
    fake.controls.nextCommand({ hold: true, stdout: 'bg\n' });
    const h = await sbx.commands.run('sleep 100', { background: true });
    expect(fake.controls.heldCommands()).toHaveLength(1);
    expect(await sbx.commands.kill(h.pid)).toBe(true);
    await expect(h.wait()).rejects.toMatchObject({ exitCode: -1 });
    await sbx.setTimeout(60_000);
    expect(await sbx.pause()).toBe(true);
    await sbx.connect();
    expect(fake.sandboxes.get(sbx.sandboxId)?.state).toBe('running');
    fake.controls.failNext({ status: 429, match: { server: 'sandbox', path: '/execute' } });
    await expect(sbx.runCode('x')).rejects.toThrow();
    fake.controls.loseSandbox(sbx.sandboxId);
    const err = await sbx.runCode('x').catch((e: unknown) => e);
    expect((err as Error).name).toBe('TimeoutError');
    expect(await sbx.kill()).toBe(false);
  });
});
