import { createRequire } from 'node:module';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { type FakeBedrockServer, startBedrockServer } from '../../../test/fakes/bedrock-server';
import { bundleSdk, scratchDir } from '../../../test/helpers/bundle';
import { runWithEsmHook } from '../../../test/helpers/child-node';
import { recordDiagMessages, requireFakePackage } from '../../../test/helpers/fake-package';
import { BedrockInstrumentation } from '../src';
import { requireSdk, setupTracing, spansEnded } from './helpers';

// Every diag message, to count the decline message.
const messages = recordDiagMessages();

const tracing = setupTracing();
const MODEL = 'us.amazon.nova-pro-v1:0';
const INPUT = { modelId: MODEL, messages: [{ role: 'user', content: [{ text: 'hi' }] }] };

let fake: FakeBedrockServer;
const scratch = scratchDir('agentburn-bedrock-');
beforeAll(async () => {
  fake = await startBedrockServer();
});
afterEach(() => {
  fake.reset();
  tracing.exporter.reset();
});
afterAll(async () => {
  await fake.close();
  scratch.remove();
});

const clientOf = (sdk: any) =>
  new sdk.BedrockRuntimeClient({
    region: 'us-east-1',
    endpoint: fake.url,
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'test-secret-key' },
    maxAttempts: 1,
  });

it('loads-with-require', async () => {
  const sdk = requireSdk();
  expect(sdk.BedrockRuntimeClient.prototype.send.__wrapped).toBe(true);
  const client = clientOf(sdk);
  await client.send(new sdk.ConverseCommand(INPUT));
  client.destroy();
  expect((await spansEnded(tracing, 1)).map((s) => s.name)).toEqual([`chat ${MODEL}`]);
});

it('never-patches-twice', async () => {
  const sdk = requireSdk();
  const { instrumentation } = tracing;
  instrumentation.enable();
  instrumentation.disable();
  instrumentation.enable();
  const client = clientOf(sdk);
  expect(instrumentation.patch(sdk)).toBe(true);
  expect(instrumentation.patch(client)).toBe(true);
  const wrapped = sdk.BedrockRuntimeClient.prototype.send;
  expect(wrapped.__original.__wrapped).toBeUndefined();
  const second = new BedrockInstrumentation();
  second.setTracerProvider(tracing.provider);
  second.patch(sdk);
  expect(sdk.BedrockRuntimeClient.prototype.send).not.toBe(wrapped);
  expect(sdk.BedrockRuntimeClient.prototype.send.__original.__wrapped).toBeUndefined();
  second.disable();
  expect(sdk.BedrockRuntimeClient.prototype.send.__wrapped).toBeUndefined();
  expect(instrumentation.patch(sdk)).toBe(true);

  await client.send(new sdk.ConverseCommand(INPUT));
  client.destroy();
  expect(await spansEnded(tracing, 1)).toHaveLength(1);
});

it('declines-unknown-version', () => {
  messages.length = 0;
  const future = requireFakePackage(
    join(scratch.dir, 'future'),
    '@aws-sdk/client-bedrock-runtime',
    '4.0.0',
    `class BedrockRuntimeClient { send() { return 'untouched'; } }
     module.exports = { BedrockRuntimeClient };`,
  );
  expect(future.BedrockRuntimeClient.prototype.send.__wrapped).toBeUndefined();
  expect(new future.BedrockRuntimeClient().send({ input: {} })).toBe('untouched');
  tracing.instrumentation.disable();
  tracing.instrumentation.enable();
  expect(messages.filter((m) => m.includes('4.0.0'))).toEqual([
    '@agentburn/instrumentation-bedrock @aws-sdk/client-bedrock-runtime@4.0.0 is outside the supported range >=3.0.0 <4; its calls are not traced',
  ]);
});

it('patches-a-bundled-sdk-by-hand', async () => {
  // Bundled, the SDK is invisible to the require hook: patch() is the way in.
  const file = join(scratch.dir, 'bedrock-bundle.cjs');
  await bundleSdk('@aws-sdk/client-bedrock-runtime', file);
  const bundled = createRequire(import.meta.url)(file);
  expect(bundled.BedrockRuntimeClient.prototype.send.__wrapped).toBeUndefined();
  expect(tracing.instrumentation.patch(bundled)).toBe(true);
  const client = clientOf(bundled);
  try {
    await client.send(new bundled.ConverseCommand(INPUT));
    expect((await spansEnded(tracing, 1)).map((s) => s.attributes['gen_ai.usage.input_tokens'])).toEqual([12]);
  } finally {
    client.destroy();
    tracing.instrumentation.unpatch(bundled);
  }
});

it('loads-with-esm-hook', async () => {
  const printed = await runWithEsmHook({
    dir: scratch.dir,
    packageDir: 'instrumentation-bedrock',
    instrumentationClass: 'BedrockInstrumentation',
    app: `import { BedrockRuntimeClient, ConverseCommand, ConverseStreamCommand } from '@aws-sdk/client-bedrock-runtime';
     const client = new BedrockRuntimeClient({ region: 'us-east-1', endpoint: process.env.FAKE_URL, maxAttempts: 1,
       credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'test-secret-key' } });
     await client.send(new ConverseCommand(${JSON.stringify(INPUT)}));
     const { stream } = await client.send(new ConverseStreamCommand(${JSON.stringify(INPUT)}));
     for await (const _ of stream) {}
     client.destroy();
     const spans = globalThis.finishedSpans();
     console.log(JSON.stringify(spans.map((s) => [s.name, s.attributes['gen_ai.usage.input_tokens']])));`,
    env: { FAKE_URL: fake.url },
  });
  expect(printed).toEqual([
    [`chat ${MODEL}`, 12],
    [`chat ${MODEL}`, 12],
  ]);
});
