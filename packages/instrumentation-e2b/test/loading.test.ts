import { createRequire } from 'node:module';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { type FakeE2B, startFakeE2B } from '../../../test/fakes/e2b-server';
import { bundleSdk, scratchDir } from '../../../test/helpers/bundle';
import { runWithEsmHook } from '../../../test/helpers/child-node';
import { recordDiagMessages, requireFakePackage } from '../../../test/helpers/fake-package';
import { setupTracing } from './harness';

// Every diag message, to count the decline message.
const messages = recordDiagMessages();

const tracing = setupTracing();
const scratch = scratchDir('agentburn-e2b-');
let fake: FakeE2B;
beforeAll(async () => {
  fake = await startFakeE2B({ now: () => tracing.clock.now() });
});
afterEach(() => {
  tracing.instrumentation._intervals.abandonAll();
  fake.reset();
  tracing.exporter.reset();
});
afterAll(async () => {
  await fake.close();
  scratch.remove();
});

it('declines-unknown-version-with-one-message', async () => {
  // A fake e2b 3.0.0 in its own node_modules, loaded through the require hook.
  messages.length = 0;
  const future = requireFakePackage(
    join(scratch.dir, 'future'),
    'e2b',
    '3.0.0',
    `class SandboxApi { static createSandbox() {} static connectSandbox() {} static kill() { return 'untouched'; } }
     class Sandbox extends SandboxApi { static create() { return 'untouched'; } }
     module.exports = { Sandbox };`,
  );
  expect(future.Sandbox.create()).toBe('untouched');
  expect(future.Sandbox.create.__wrapped).toBeUndefined();
  expect(future.Sandbox.kill.__wrapped).toBeUndefined();
  // Re-enabling replays the hooks: still one message.
  tracing.instrumentation.disable();
  tracing.instrumentation.enable();
  expect(messages.filter((m) => m.includes('3.0.0'))).toEqual([
    '@agentburn/instrumentation-e2b e2b@3.0.0 is outside the supported range >=2.0.0 <3; its calls are not traced',
  ]);
  expect(tracing.spans()).toHaveLength(0);
});

it('instruments-a-bundled-sdk-by-hand', async () => {
  // An application bundle: the SDK is inlined, no require hook ever sees it.
  const outfile = join(scratch.dir, 'bundled-ci.cjs');
  await bundleSdk('@e2b/code-interpreter', outfile);
  const bundled = createRequire(import.meta.url)(outfile);
  const before = await bundled.Sandbox.create({ ...fake.connection });
  await before.kill();
  expect(tracing.spans()).toHaveLength(0);

  tracing.instrumentation.manuallyInstrument(bundled);
  const sbx = await bundled.Sandbox.create({ ...fake.connection });
  await sbx.runCode('1');
  tracing.clock.advanceSeconds(5);
  await sbx.kill();
  expect(tracing.spans().map((s) => s.name)).toEqual([
    'e2b.sandbox.create',
    'e2b.run_code',
    'e2b.sandbox',
    'e2b.sandbox.kill',
  ]);
  expect(tracing.intervals()[0]!.attributes['e2b.sandbox.billed_seconds']).toBe(5);

  // No hook loaded this copy: disable() still undoes the patches by hand, and enable() redoes them.
  tracing.exporter.reset();
  tracing.instrumentation.disable();
  const untraced = await bundled.Sandbox.create({ ...fake.connection });
  await untraced.kill();
  expect(tracing.spans()).toHaveLength(0);
  tracing.instrumentation.enable();
  const traced = await bundled.Sandbox.create({ ...fake.connection });
  await traced.kill();
  expect(tracing.spans().map((s) => s.name)).toEqual(['e2b.sandbox.create', 'e2b.sandbox', 'e2b.sandbox.kill']);
});

it('loads-with-the-esm-hook', async () => {
  // The child runs on the wall clock: so does its fake.
  const wallClockFake = await startFakeE2B();
  let printed: unknown;
  try {
    printed = await runWithEsmHook({
      dir: scratch.dir,
      packageDir: 'instrumentation-e2b',
      instrumentationClass: 'E2BInstrumentation',
      app: `import { Sandbox } from '@e2b/code-interpreter';
     import { Sandbox as Base } from 'e2b';
     const sbx = await Sandbox.create();
     await sbx.runCode('1 + 1');
     await sbx.commands.run('echo hi');
     await sbx.kill();
     const plain = await Base.create();
     await Base.kill(plain.sandboxId);
     const spans = globalThis.finishedSpans();
     console.log(JSON.stringify(spans.map((s) => [s.name, s.attributes['e2b.sandbox.end_reason'] ?? null])));`,
      env: wallClockFake.env,
    });
  } finally {
    await wallClockFake.close();
  }
  expect(printed).toEqual([
    ['e2b.sandbox.create', null],
    ['e2b.run_code', null],
    ['e2b.commands.run', null],
    ['e2b.sandbox', 'killed'],
    ['e2b.sandbox.kill', null],
    ['e2b.sandbox.create', null],
    ['e2b.sandbox', 'killed'],
    ['e2b.sandbox.kill', null],
  ]);
});
