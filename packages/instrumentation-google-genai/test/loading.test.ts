import { createRequire } from 'node:module';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { type FakeGeminiServer, startGeminiServer } from '../../../test/fakes/gemini-server';
import { bundleSdk, scratchDir } from '../../../test/helpers/bundle';
import { runWithEsmHook } from '../../../test/helpers/child-node';
import { recordDiagMessages, requireFakePackage } from '../../../test/helpers/fake-package';
import { GoogleGenAIInstrumentation } from '../src';
import { requireSdk, setupTracing, spansEnded } from './helpers';

// Every diag message, to count the decline message.
const messages = recordDiagMessages();

const tracing = setupTracing();
const PARAMS = { model: 'gemini-2.5-flash', contents: 'hi' };

let fake: FakeGeminiServer;
const scratch = scratchDir('agentburn-google-genai-');
beforeAll(async () => {
  fake = await startGeminiServer();
});
afterEach(() => {
  fake.reset();
  tracing.exporter.reset();
});
afterAll(async () => {
  await fake.close();
  scratch.remove();
});

const client = (sdk: any) => new sdk.GoogleGenAI({ apiKey: 'test-key', httpOptions: { baseUrl: fake.url } });

it('loads-with-require', async () => {
  const sdk = requireSdk();
  expect(sdk.Models.prototype.generateContentInternal.__wrapped).toBe(true);
  expect(sdk.Models.prototype.generateContentStreamInternal.__wrapped).toBe(true);
  await client(sdk).models.generateContent(PARAMS);
  expect((await spansEnded(tracing, 1)).map((s) => s.name)).toEqual(['generate_content gemini-2.5-flash']);
});

it('never-patches-twice', async () => {
  const sdk = requireSdk();
  const { instrumentation } = tracing;
  instrumentation.enable();
  instrumentation.disable();
  instrumentation.enable();
  expect(instrumentation.patch(sdk)).toBe(true);
  expect(instrumentation.patch(client(sdk))).toBe(true);
  const wrapped = sdk.Models.prototype.generateContentInternal;
  expect(wrapped.__original.__wrapped).toBeUndefined();
  // A second instance replaces the first one's wrapper instead of stacking on it.
  const second = new GoogleGenAIInstrumentation();
  second.setTracerProvider(tracing.provider);
  second.patch(sdk);
  expect(sdk.Models.prototype.generateContentInternal).not.toBe(wrapped);
  expect(sdk.Models.prototype.generateContentInternal.__original.__wrapped).toBeUndefined();
  second.disable();
  expect(sdk.Models.prototype.generateContentInternal.__wrapped).toBeUndefined();
  expect(instrumentation.patch(sdk)).toBe(true);

  await client(sdk).models.generateContent(PARAMS);
  expect(await spansEnded(tracing, 1)).toHaveLength(1);
});

it('disable-leaves-calls-untraced', async () => {
  const sdk = requireSdk();
  tracing.instrumentation.disable();
  try {
    const response = await client(sdk).models.generateContent(PARAMS);
    expect(response.text).toBe('Hello from the fake.');
    expect(tracing.spans()).toHaveLength(0);
  } finally {
    tracing.instrumentation.enable();
  }
});

it('declines-unknown-version', async () => {
  messages.length = 0;
  const future = requireFakePackage(
    join(scratch.dir, 'future'),
    '@google/genai',
    '99.0.0',
    `class Models { generateContentInternal() { return 'untouched'; } }
     module.exports = { Models };`,
  );
  expect(future.Models.prototype.generateContentInternal.__wrapped).toBeUndefined();
  expect(new future.Models().generateContentInternal(PARAMS)).toBe('untouched');
  tracing.instrumentation.disable();
  tracing.instrumentation.enable();
  expect(messages.filter((m) => m.includes('99.0.0'))).toEqual([
    '@agentburn/instrumentation-google-genai @google/genai@99.0.0 is outside the supported range >=1.0.0 <4; its calls are not traced',
  ]);
});

it('says-once-when-a-supported-version-has-no-models-class', () => {
  messages.length = 0;
  const odd = requireFakePackage(join(scratch.dir, 'odd'), '@google/genai', '2.0.0', 'module.exports = { Other: 1 };');
  expect(odd).toEqual({ Other: 1 });
  expect(messages.filter((m) => m.includes('no Models class'))).toHaveLength(1);
});

it('patches-a-bundled-sdk-by-hand', async () => {
  // Bundled, the SDK is invisible to the require hook: patch() is the way in.
  const file = join(scratch.dir, 'genai-bundle.cjs');
  await bundleSdk('@google/genai', file);
  const bundled = createRequire(import.meta.url)(file);
  expect(bundled.Models.prototype.generateContentInternal.__wrapped).toBeUndefined();
  expect(tracing.instrumentation.patch(bundled)).toBe(true);
  try {
    await client(bundled).models.generateContent(PARAMS);
    expect((await spansEnded(tracing, 1)).map((s) => s.attributes['gen_ai.usage.input_tokens'])).toEqual([12]);
  } finally {
    tracing.instrumentation.unpatch(bundled);
  }
});

it('loads-with-esm-hook', async () => {
  const printed = await runWithEsmHook({
    dir: scratch.dir,
    packageDir: 'instrumentation-google-genai',
    instrumentationClass: 'GoogleGenAIInstrumentation',
    app: `import { GoogleGenAI } from '@google/genai';
     const ai = new GoogleGenAI({ apiKey: 'test-key', httpOptions: { baseUrl: process.env.FAKE_URL } });
     await ai.models.generateContent(${JSON.stringify(PARAMS)});
     for await (const _ of await ai.models.generateContentStream(${JSON.stringify(PARAMS)})) {}
     const spans = globalThis.finishedSpans();
     console.log(JSON.stringify(spans.map((s) => [s.name, s.attributes['gen_ai.usage.input_tokens']])));`,
    env: { FAKE_URL: fake.url },
  });
  expect(printed).toEqual([
    ['generate_content gemini-2.5-flash', 12],
    ['generate_content gemini-2.5-flash', 12],
  ]);
});
