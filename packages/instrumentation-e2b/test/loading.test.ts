import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { type DiagLogger, DiagLogLevel, diag } from '@opentelemetry/api';
import { build } from 'esbuild';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { type FakeE2B, startFakeE2B } from '../../../test/fakes/e2b-server';
import { buildInstrumentation, scratchDir, setupTracing } from './harness';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../../', import.meta.url));

// Every diag message, to count the decline message.
const messages: string[] = [];
const record = (...args: unknown[]) => messages.push(args.map(String).join(' '));
const logger: DiagLogger = { error: record, warn: record, info: record, debug: () => {}, verbose: () => {} };
diag.setLogger(logger, DiagLogLevel.INFO);

const tracing = setupTracing();
const scratch = scratchDir();
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
  const pkg = join(scratch.dir, 'future', 'node_modules', 'e2b');
  mkdirSync(pkg, { recursive: true });
  writeFileSync(join(pkg, 'package.json'), JSON.stringify({ name: 'e2b', version: '3.0.0', main: 'index.js' }));
  writeFileSync(
    join(pkg, 'index.js'),
    `class SandboxApi { static createSandbox() {} static connectSandbox() {} static kill() { return 'untouched'; } }
     class Sandbox extends SandboxApi { static create() { return 'untouched'; } }
     module.exports = { Sandbox };`,
  );
  messages.length = 0;
  const future = createRequire(join(scratch.dir, 'future', 'app.js'))('e2b');
  expect(future.Sandbox.create()).toBe('untouched');
  expect(future.Sandbox.create.__wrapped).toBeUndefined();
  expect(future.Sandbox.kill.__wrapped).toBeUndefined();
  // Re-enabling replays the hooks: still one message.
  tracing.instrumentation.disable();
  tracing.instrumentation.enable();
  expect(messages.filter((m) => m.includes('3.0.0'))).toEqual([
    '@agentburn/instrumentation-e2b e2b 3.0.0 is outside the supported range >=2.0.0 <3; not instrumented',
  ]);
  expect(tracing.spans()).toHaveLength(0);
});

it('instruments-a-bundled-sdk-by-hand', async () => {
  // An application bundle: the SDK is inlined, no require hook ever sees it.
  const outfile = join(scratch.dir, 'bundled-ci.cjs');
  await build({
    stdin: { contents: "module.exports = require('@e2b/code-interpreter');", resolveDir: root, loader: 'js' },
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['@opentelemetry/api'],
    logLevel: 'silent',
  });
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
});

it('loads-with-the-esm-hook', async () => {
  const dir = scratch.dir;
  await buildInstrumentation(join(dir, 'instrumentation.mjs'), 'esm');
  writeFileSync(
    join(dir, 'register.mjs'),
    `import { register } from 'node:module';
     import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
     import { E2BInstrumentation } from './instrumentation.mjs';
     register('import-in-the-middle/hook.mjs', import.meta.url);
     const exporter = new InMemorySpanExporter();
     const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
     const instrumentation = new E2BInstrumentation();
     instrumentation.setTracerProvider(provider);
     globalThis.finishedSpans = () => exporter.getFinishedSpans();`,
  );
  writeFileSync(
    join(dir, 'app.mjs'),
    `import { Sandbox } from '@e2b/code-interpreter';
     import { Sandbox as Base } from 'e2b';
     const sbx = await Sandbox.create();
     await sbx.runCode('1 + 1');
     await sbx.commands.run('echo hi');
     await sbx.kill();
     const plain = await Base.create();
     await Base.kill(plain.sandboxId);
     const spans = globalThis.finishedSpans();
     console.log(JSON.stringify(spans.map((s) => [s.name, s.attributes['e2b.sandbox.end_reason'] ?? null])));`,
  );
  // The child runs on the wall clock: so does its fake.
  const wallClockFake = await startFakeE2B();
  let stdout: string;
  try {
    ({ stdout } = await run(process.execPath, ['--import', './register.mjs', 'app.mjs'], {
      cwd: dir,
      env: { ...process.env, ...wallClockFake.env },
      timeout: 15_000,
    }));
  } finally {
    await wallClockFake.close();
  }
  expect(JSON.parse(stdout.trim().split('\n').at(-1)!)).toEqual([
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
