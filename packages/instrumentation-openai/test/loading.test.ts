import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  ATTR_COST_USD,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
} from '@agentburn/core';
import { OpenAIInstrumentation } from '@agentburn/instrumentation-openai';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type FakeOpenAIServer, startOpenAIServer } from '../../../test/fakes/openai-server';
import { bundleInstrumentation, bundleSdk, scratchDir } from '../../../test/helpers/bundle';
import { runWithEsmHook } from '../../../test/helpers/child-node';
import { recordDiagMessages, requireFakePackage } from '../../../test/helpers/fake-package';
import { requireOpenAI, setupHarness } from './harness';

const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));
const messages = [{ role: 'user' as const, content: 'hi' }];
/** shimmer marks the functions it wrapped. */
type Wrapped = { __wrapped?: boolean };

const diagMessages = recordDiagMessages();

const h = setupHarness();
const openai = requireOpenAI();

let server: FakeOpenAIServer;
const scratch = scratchDir('agentburn-openai-');
beforeAll(async () => {
  server = await startOpenAIServer();
});
afterAll(async () => {
  await server.close();
  scratch.remove();
});
afterEach(() => {
  server.reset();
  h.reset();
});

const newClient = (OpenAI: typeof openai.OpenAI = openai.OpenAI) =>
  new OpenAI({ baseURL: server.url, apiKey: 'sk-test', maxRetries: 0 });

describe('in process', () => {
  it('loads-with-require', async () => {
    expect((openai.OpenAI.Chat.Completions.prototype.create as Wrapped).__wrapped).toBe(true);
    expect((openai.OpenAI.Responses.prototype.create as Wrapped).__wrapped).toBe(true);
    expect((openai.OpenAI.Embeddings.prototype.create as Wrapped).__wrapped).toBe(true);
    await newClient().chat.completions.create({ model: 'gpt-4o', messages });
    const [span] = await h.ended(1);
    expect(span!.name).toBe('chat gpt-4o');
  });

  it('declines-unknown-major', async () => {
    // A package named openai at 99.0.0, shaped like the real one, in two node_modules of its own.
    const loaded = ['future-a', 'future-b'].map((dir) =>
      requireFakePackage(
        join(scratch.dir, dir),
        'openai',
        '99.0.0',
        [
          'class Completions { create() { return Promise.resolve({ id: "x" }); } }',
          'class Chat {} Chat.Completions = Completions;',
          'class OpenAI { constructor() { this.chat = { completions: new Completions() }; } }',
          'OpenAI.Chat = Chat; OpenAI.OpenAI = OpenAI; module.exports = OpenAI;',
        ].join('\n'),
      ),
    );
    for (const OpenAI of loaded) {
      expect(OpenAI.Chat.Completions.prototype.create.__wrapped).toBeUndefined();
      expect(await new OpenAI().chat.completions.create({ model: 'gpt-4o' })).toEqual({ id: 'x' });
    }
    expect(h.spans()).toHaveLength(0);
    // One message for the version, however many copies load.
    const declined = diagMessages.filter((m) => m.includes('99.0.0'));
    expect(declined).toHaveLength(1);
    expect(declined[0]).toContain('outside the supported range');
  });

  it('manual-patch-for-bundles', async () => {
    // openai inlined into an application bundle: no module hook ever sees it.
    const file = join(scratch.dir, 'bundled-openai.cjs');
    await bundleSdk('openai', file);
    const bundled = createRequire(import.meta.url)(file);
    expect(bundled.OpenAI).not.toBe(openai.OpenAI);
    await newClient(bundled.OpenAI).chat.completions.create({ model: 'gpt-4o', messages });
    expect(h.spans()).toHaveLength(0);

    h.instrumentation.manuallyInstrument(bundled);
    await newClient(bundled.OpenAI).chat.completions.create({ model: 'gpt-4o', messages });
    const [span] = await h.ended(1);
    expect(span!.attributes[ATTR_GEN_AI_USAGE_INPUT_TOKENS]).toBe(12);
    // 12 x $2.50/M + 5 x $10/M
    expect(span!.attributes[ATTR_COST_USD]).toBeCloseTo(0.00008, 12);

    // disable() unwraps hand-patched copies too; enable() wraps them again.
    h.reset();
    h.instrumentation.disable();
    await newClient(bundled.OpenAI).chat.completions.create({ model: 'gpt-4o', messages });
    expect(h.spans()).toHaveLength(0);
    h.instrumentation.enable();
    await newClient(bundled.OpenAI).chat.completions.create({ model: 'gpt-4o', messages });
    await h.ended(1);
    expect(h.spans()).toHaveLength(1);
  });

  it('never-patches-twice', async () => {
    const { OpenAI } = openai;
    const client = newClient();
    // Every way of asking again: the module, the class, a client, a re-enable, a second instance.
    h.instrumentation.manuallyInstrument(openai);
    h.instrumentation.manuallyInstrument(OpenAI);
    h.instrumentation.manuallyInstrument(client);
    h.instrumentation.disable();
    h.instrumentation.enable();
    h.instrumentation.enable();
    const second = new OpenAIInstrumentation();
    second.manuallyInstrument(openai);

    await client.chat.completions.create({ model: 'gpt-4o', messages });
    await client.responses.create({ model: 'gpt-4o', input: 'hi' });
    await client.embeddings.create({ model: 'text-embedding-3-small', input: 'hi' });
    const spans = await h.ended(3);
    expect(spans.map((s) => s.name)).toEqual(['chat gpt-4o', 'chat gpt-4o', 'embeddings text-embedding-3-small']);

    // Disabled means unwrapped: no span at all.
    h.reset();
    h.instrumentation.disable();
    expect((OpenAI.Chat.Completions.prototype.create as Wrapped).__wrapped).toBeUndefined();
    await client.chat.completions.create({ model: 'gpt-4o', messages });
    expect(h.spans()).toHaveLength(0);
    h.instrumentation.enable();
  });
});

interface ChildSpan {
  name: string;
  kind: number;
  attributes: Record<string, unknown>;
}

function runNode(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; spans: ChildSpan[]; stdout: string; stderr: string }> {
  const base = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !/^(OTEL_|OPENAI_|NODE_OPTIONS|VITEST)/.test(k)),
  );
  const child = spawn(process.execPath, args, {
    cwd: fixtures,
    env: { ...base, OTEL_METRICS_EXPORTER: 'none', OTEL_LOGS_EXPORTER: 'none', OTEL_TRACES_EXPORTER: 'none', ...env },
    stdio: 'pipe',
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve) => {
    child.on('close', (code) => {
      const spans = stdout
        .split('\n')
        .filter((line) => line.startsWith('SPAN '))
        .map((line) => JSON.parse(line.slice(5)) as ChildSpan);
      resolve({ code, spans, stdout, stderr });
    });
  });
}

describe('in a child process', () => {
  it('loads-with-esm-hook', async () => {
    const bundle = join(scratch.dir, 'instrumentation-openai.mjs');
    await bundleInstrumentation('instrumentation-openai', bundle, 'esm');
    const run = await runNode(['--import', './esm-register.mjs', './esm-app.mjs'], {
      INSTRUMENTATION_BUNDLE: bundle,
      FAKE_OPENAI_URL: server.url,
    });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('RESULT chatcmpl-fake-1');
    // The ESM copy (through the hook) and the CommonJS copy in one process: one span per call.
    expect(run.spans.map((s) => s.name)).toEqual(['chat gpt-4o', 'embeddings text-embedding-3-small']);
    expect(run.spans[0]!.attributes[ATTR_GEN_AI_USAGE_INPUT_TOKENS]).toBe(12);
    expect(run.spans[1]!.attributes[ATTR_GEN_AI_USAGE_INPUT_TOKENS]).toBe(8);
  });

  it('loads-with-NodeSDK', async () => {
    const bundle = join(scratch.dir, 'instrumentation-openai.cjs');
    await bundleInstrumentation('instrumentation-openai', bundle, 'cjs');
    const run = await runNode(['./nodesdk-app.cjs'], { INSTRUMENTATION_BUNDLE: bundle, FAKE_OPENAI_URL: server.url });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('RESULT 1');
    expect(run.spans).toHaveLength(1);
    expect(run.spans[0]!.name).toBe('embeddings text-embedding-3-small');
    expect(run.spans[0]!.attributes).toMatchObject({
      [ATTR_GEN_AI_OPERATION_NAME]: 'embeddings',
      [ATTR_GEN_AI_PROVIDER_NAME]: 'openai',
      [ATTR_GEN_AI_USAGE_INPUT_TOKENS]: 8,
    });
  });
});

it('keeps-the-unhandled-rejection-of-a-failed-call-nobody-reads', async () => {
  // Without the instrumentation, a failed call whose promise is never awaited
  // is an unhandled rejection; instrumented, it still is, with the SDK's error.
  const printed = await runWithEsmHook({
    dir: scratch.dir,
    packageDir: 'instrumentation-openai',
    instrumentationClass: 'OpenAIInstrumentation',
    app: `import OpenAI from 'openai';
     const client = new OpenAI({ apiKey: 'sk-test', baseURL: 'http://127.0.0.1:1', maxRetries: 0 });
     const unhandled = new Promise((resolve) => process.once('unhandledRejection', (error) => resolve(error)));
     void client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] });
     const error = await unhandled;
     const spans = globalThis.finishedSpans();
     console.log(JSON.stringify([error.constructor.name, spans.map((s) => s.attributes['error.type'])]));`,
  });
  expect(printed).toEqual(['APIConnectionError', ['APIConnectionError']]);
});
