import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { type FakeAnthropicServer, startAnthropicServer } from '../../../test/fakes/anthropic-server';
import { scratchDir } from '../../../test/helpers/bundle';
import { runWithEsmHook } from '../../../test/helpers/child-node';
import { recordDiagMessages, requireFakePackage } from '../../../test/helpers/fake-package';
import { AnthropicInstrumentation } from '../src';
import { requireSdk, setupTracing, spansEnded } from './helpers';

// Every diag message, to count the decline message.
const messages = recordDiagMessages();

const tracing = setupTracing();
const PARAMS = { model: 'claude-haiku-4-5', max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] };

let fake: FakeAnthropicServer;
const scratch = scratchDir('agentburn-anthropic-');
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
  messages.length = 0;
  const future = requireFakePackage(
    join(scratch.dir, 'future'),
    '@anthropic-ai/sdk',
    '99.0.0',
    `class Messages { create() { return 'untouched'; } }
     class Anthropic { constructor() { this.messages = new Messages(); } }
     Anthropic.Messages = Messages;
     module.exports = { Anthropic, default: Anthropic };`,
  );
  expect(future.Anthropic.Messages.prototype.create.__wrapped).toBeUndefined();
  expect(new future.Anthropic().messages.create(PARAMS)).toBe('untouched');
  // Re-enabling replays the hooks: still one message.
  tracing.instrumentation.disable();
  tracing.instrumentation.enable();
  const declines = messages.filter((m) => m.includes('99.0.0'));
  expect(declines).toEqual([
    '@agentburn/instrumentation-anthropic @anthropic-ai/sdk@99.0.0 is outside the supported range >=0.30.0 <2; its calls are not traced',
  ]);
  expect(tracing.spans()).toHaveLength(0);
});

it('loads-with-esm-hook', async () => {
  const printed = await runWithEsmHook({
    dir: scratch.dir,
    packageDir: 'instrumentation-anthropic',
    instrumentationClass: 'AnthropicInstrumentation',
    app: `import Anthropic from '@anthropic-ai/sdk';
     const client = new Anthropic({ apiKey: 'sk-test', baseURL: process.env.FAKE_URL, maxRetries: 0 });
     await client.messages.create(${JSON.stringify(PARAMS)});
     const stream = await client.messages.create({ ...${JSON.stringify(PARAMS)}, stream: true });
     for await (const _ of stream) {}
     const spans = globalThis.finishedSpans();
     console.log(JSON.stringify(spans.map((s) => [s.name, s.attributes['gen_ai.usage.input_tokens']])));`,
    env: { FAKE_URL: fake.url },
  });
  expect(printed).toEqual([
    ['chat claude-haiku-4-5', 12],
    ['chat claude-haiku-4-5', 12],
  ]);
});

it('keeps-the-unhandled-rejection-of-a-failed-call-nobody-reads', async () => {
  // Without the instrumentation, a failed call whose promise is never awaited
  // is an unhandled rejection; instrumented, it still is, with the SDK's error.
  const printed = await runWithEsmHook({
    dir: scratch.dir,
    packageDir: 'instrumentation-anthropic',
    instrumentationClass: 'AnthropicInstrumentation',
    app: `import Anthropic from '@anthropic-ai/sdk';
     const client = new Anthropic({ apiKey: 'sk-test', baseURL: 'http://127.0.0.1:1', maxRetries: 0 });
     const unhandled = new Promise((resolve) => process.once('unhandledRejection', (error) => resolve(error)));
     void client.messages.create(${JSON.stringify(PARAMS)});
     const error = await unhandled;
     const spans = globalThis.finishedSpans();
     console.log(JSON.stringify([error.constructor.name, spans.map((s) => s.attributes['error.type'])]));`,
  });
  expect(printed).toEqual(['APIConnectionError', ['APIConnectionError']]);
});
