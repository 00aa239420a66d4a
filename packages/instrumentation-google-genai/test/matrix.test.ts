/**
 * Smoke test against another installed version of the SDK, run by
 * `test/matrix.sh` (which installs it into a scratch directory outside the
 * repository and points GOOGLE_GENAI_MATRIX_DIR at it). Skipped otherwise.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  type FakeGeminiServer,
  geminiResponse,
  geminiStreamChunks,
  startGeminiServer,
} from '../../../test/fakes/gemini-server';
import { SUPPORTED_VERSIONS } from '../src';
import { setupTracing, spansEnded } from './helpers';

const dir = process.env.GOOGLE_GENAI_MATRIX_DIR;

describe.skipIf(!dir)(`@google/genai from GOOGLE_GENAI_MATRIX_DIR (supported: ${SUPPORTED_VERSIONS})`, () => {
  const tracing = setupTracing();
  const sdk = dir ? createRequire(join(dir, 'package.json'))('@google/genai') : undefined;
  const version: string = dir
    ? JSON.parse(readFileSync(join(dir, 'node_modules/@google/genai/package.json'), 'utf8')).version
    : '';
  const MODEL = 'gemini-2.5-flash';
  const usage = {
    promptTokenCount: 10_000,
    cachedContentTokenCount: 4000,
    candidatesTokenCount: 500,
    thoughtsTokenCount: 1500,
  };
  // gemini-2.5-flash: 6000 x 0.3 + 4000 x 0.03 + 2000 x 2.5 = 1800 + 120 + 5000 = 6920 per 1e6
  const COST = 0.00692;

  let fake: FakeGeminiServer;
  let ai: any;
  beforeAll(async () => {
    fake = await startGeminiServer();
    ai = new sdk.GoogleGenAI({ apiKey: 'test-key', httpOptions: { baseUrl: fake.url } });
  });
  afterEach(() => {
    fake.reset();
    tracing.exporter.reset();
  });
  afterAll(async () => {
    await fake.close();
  });

  it('patches-the-installed-version', () => {
    expect(version).not.toBe('');
    expect(sdk.Models.prototype.generateContentInternal.__wrapped).toBe(true);
  });

  it('prices-a-generate-content-call', async () => {
    fake.reply({ json: geminiResponse({ modelVersion: MODEL, text: 'ok', usage }) });
    const response = await ai.models.generateContent({ model: MODEL, contents: 'hi' });
    expect(response.text).toBe('ok');
    const [span] = await spansEnded(tracing, 1);
    expect(span!.attributes['gen_ai.usage.input_tokens']).toBe(10_000);
    expect(span!.attributes['gen_ai.usage.output_tokens']).toBe(2000);
    expect(span!.attributes.cost_usd).toBeCloseTo(COST, 12);
  });

  it('prices-a-stream-from-its-last-chunk', async () => {
    fake.reply({ sse: geminiStreamChunks({ modelVersion: MODEL, text: 'abcdef', usage }, 3) });
    let text = '';
    for await (const chunk of await ai.models.generateContentStream({ model: MODEL, contents: 'hi' }))
      text += chunk.text;
    expect(text).toBe('abcdef');
    const [span] = await spansEnded(tracing, 1);
    expect(span!.attributes.cost_usd).toBeCloseTo(COST, 12);
  });
});
