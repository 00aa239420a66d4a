import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type DiagLogger, DiagLogLevel, diag } from '@opentelemetry/api';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { type FakeAnthropicServer, startAnthropicServer } from '../../../test/fakes/anthropic-server';
import { AnthropicInstrumentation } from '../src';
import { buildInstrumentation, scratchDir } from './bundle';
import { requireSdk, setupTracing, spansEnded } from './helpers';

const run = promisify(execFile);

// Every diag message, to count the decline message.
const messages: string[] = [];
const record = (...args: unknown[]) => messages.push(args.map(String).join(' '));
const logger: DiagLogger = { error: record, warn: record, info: record, debug: () => {}, verbose: () => {} };
diag.setLogger(logger, DiagLogLevel.INFO);

const tracing = setupTracing();
const PARAMS = { model: 'claude-haiku-4-5', max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] };

let fake: FakeAnthropicServer;
const scratch = scratchDir();
beforeAll(async () => {
  fake = await startAnthropicServer();
});
afterEach(() => {
  fake.reset();
  tracing.exporter.reset();
});
afterAll(async () => {
  await fake.close();
  scratch.remove();
});

it('loads-with-require', async () => {
  const sdk = requireSdk();
  expect(sdk.Anthropic.Messages.prototype.create.__wrapped).toBe(true);
  expect(sdk.Anthropic.Beta.Messages.prototype.create.__wrapped).toBe(true);
  const client = new sdk.Anthropic({ apiKey: 'sk-test', baseURL: fake.url, maxRetries: 0 });
  await client.messages.create(PARAMS);
  expect((await spansEnded(tracing, 1)).map((s) => s.name)).toEqual(['chat claude-haiku-4-5']);
});

it('never-patches-twice', async () => {
  const sdk = requireSdk();
  const { instrumentation } = tracing;
  // Enabling again, patching by hand, and a second instance all leave one wrapper.
  instrumentation.enable();
  instrumentation.disable();
  instrumentation.enable();
  expect(instrumentation.patch(sdk)).toBe(true);
  expect(instrumentation.patch(sdk.Anthropic)).toBe(true);
  const wrapped = sdk.Anthropic.Messages.prototype.create;
  expect(wrapped.__original.__wrapped).toBeUndefined();
  // A second instance replaces the first one's wrapper instead of stacking on it...
  const second = new AnthropicInstrumentation();
  second.setTracerProvider(tracing.provider);
  second.patch(sdk);
  expect(sdk.Anthropic.Messages.prototype.create).not.toBe(wrapped);
  expect(sdk.Anthropic.Messages.prototype.create.__original.__wrapped).toBeUndefined();
  // ...and once it is gone, the first one patches again.
  second.disable();
  expect(sdk.Anthropic.Messages.prototype.create.__wrapped).toBeUndefined();
  expect(instrumentation.patch(sdk)).toBe(true);
  expect(sdk.Anthropic.Messages.prototype.create.__original.__wrapped).toBeUndefined();

  const client = new sdk.Anthropic({ apiKey: 'sk-test', baseURL: fake.url, maxRetries: 0 });
  await client.messages.create(PARAMS);
  await client.messages.stream(PARAMS).finalMessage();
  const spans = await spansEnded(tracing, 2);
  expect(spans).toHaveLength(2);
});

it('declines-unknown-version', async () => {
  // A fake SDK of version 99.0.0 in its own node_modules, loaded through the require hook.
  const pkg = join(scratch.dir, 'future', 'node_modules', '@anthropic-ai', 'sdk');
  mkdirSync(pkg, { recursive: true });
  writeFileSync(
    join(pkg, 'package.json'),
    JSON.stringify({ name: '@anthropic-ai/sdk', version: '99.0.0', main: 'index.js' }),
  );
  writeFileSync(
    join(pkg, 'index.js'),
    `class Messages { create() { return 'untouched'; } }
     class Anthropic { constructor() { this.messages = new Messages(); } }
     Anthropic.Messages = Messages;
     module.exports = { Anthropic, default: Anthropic };`,
  );
  messages.length = 0;
  const future = createRequire(join(scratch.dir, 'future', 'app.js'))('@anthropic-ai/sdk');
  expect(future.Anthropic.Messages.prototype.create.__wrapped).toBeUndefined();
  expect(new future.Anthropic().messages.create(PARAMS)).toBe('untouched');
  // Re-enabling replays the hooks: still one message.
  tracing.instrumentation.disable();
  tracing.instrumentation.enable();
  const declines = messages.filter((m) => m.includes('99.0.0'));
  expect(declines).toEqual([
    '@agentburn/instrumentation-anthropic @anthropic-ai/sdk@99.0.0 is outside the supported range >=0.30.0 <2; its calls are not traced.',
  ]);
  expect(tracing.spans()).toHaveLength(0);
});

it('loads-with-esm-hook', async () => {
  const dir = scratch.dir;
  await buildInstrumentation(join(dir, 'instrumentation.mjs'), 'esm');
  writeFileSync(
    join(dir, 'register.mjs'),
    `import { register } from 'node:module';
     import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
     import { AnthropicInstrumentation } from './instrumentation.mjs';
     register('import-in-the-middle/hook.mjs', import.meta.url);
     const exporter = new InMemorySpanExporter();
     const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
     const instrumentation = new AnthropicInstrumentation();
     instrumentation.setTracerProvider(provider);
     globalThis.finishedSpans = () => exporter.getFinishedSpans();`,
  );
  writeFileSync(
    join(dir, 'app.mjs'),
    `import Anthropic from '@anthropic-ai/sdk';
     const client = new Anthropic({ apiKey: 'sk-test', baseURL: process.env.FAKE_URL, maxRetries: 0 });
     await client.messages.create(${JSON.stringify(PARAMS)});
     const stream = await client.messages.create({ ...${JSON.stringify(PARAMS)}, stream: true });
     for await (const _ of stream) {}
     const spans = globalThis.finishedSpans();
     console.log(JSON.stringify(spans.map((s) => [s.name, s.attributes['gen_ai.usage.input_tokens']])));`,
  );
  const { stdout } = await run(process.execPath, ['--import', './register.mjs', 'app.mjs'], {
    cwd: dir,
    env: { ...process.env, FAKE_URL: fake.url },
    timeout: 15_000,
  });
  expect(JSON.parse(stdout.trim().split('\n').at(-1)!)).toEqual([
    ['chat claude-haiku-4-5', 12],
    ['chat claude-haiku-4-5', 12],
  ]);
});
