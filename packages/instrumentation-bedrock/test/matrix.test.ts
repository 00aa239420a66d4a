/**
 * Smoke test against another installed version of the SDK, run by
 * `test/matrix.sh` (which installs it into a scratch directory outside the
 * repository and points BEDROCK_SDK_MATRIX_DIR at it). Skipped otherwise.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  converseResponse,
  converseStreamEvents,
  type FakeBedrockServer,
  startBedrockServer,
} from '../../../test/fakes/bedrock-server';
import { SUPPORTED_VERSIONS } from '../src';
import { fakeClientOptions, setupTracing, spansEnded } from './helpers';

const dir = process.env.BEDROCK_SDK_MATRIX_DIR;
const NAME = '@aws-sdk/client-bedrock-runtime';

describe.skipIf(!dir)(`${NAME} from BEDROCK_SDK_MATRIX_DIR (supported: ${SUPPORTED_VERSIONS})`, () => {
  const tracing = setupTracing();
  const sdk = dir ? createRequire(join(dir, 'package.json'))(NAME) : undefined;
  const version: string = dir
    ? JSON.parse(readFileSync(join(dir, 'node_modules', NAME, 'package.json'), 'utf8')).version
    : '';
  const MODEL = 'us.anthropic.claude-3-7-sonnet-20250219-v1:0';
  const INPUT = { modelId: MODEL, messages: [{ role: 'user', content: [{ text: 'hi' }] }] };
  const usage = { inputTokens: 1000, cacheReadInputTokens: 2000, cacheWriteInputTokens: 3000, outputTokens: 500 };
  // 1000 x 3 + 2000 x 0.3 + 3000 x 3.75 + 500 x 15 = 22350 per 1e6
  const COST = 0.02235;

  let fake: FakeBedrockServer;
  let client: any;
  beforeAll(async () => {
    fake = await startBedrockServer();
    client = new sdk.BedrockRuntimeClient(fakeClientOptions(fake.url));
  });
  afterEach(() => {
    fake.reset();
    tracing.exporter.reset();
  });
  afterAll(async () => {
    client.destroy();
    await fake.close();
  });

  it('patches-the-installed-version', () => {
    expect(version).not.toBe('');
    expect(sdk.BedrockRuntimeClient.prototype.send.__wrapped).toBe(true);
  });

  it('prices-a-converse-call', async () => {
    fake.reply({ json: converseResponse({ text: 'ok', usage }) });
    await client.send(new sdk.ConverseCommand(INPUT));
    const [span] = await spansEnded(tracing, 1);
    expect(span!.attributes.cost_usd).toBeCloseTo(COST, 12);
  });

  it('prices-a-converse-stream', async () => {
    fake.reply({ events: converseStreamEvents({ text: 'abc', usage }) });
    const { stream } = await client.send(new sdk.ConverseStreamCommand(INPUT));
    for await (const _ of stream) {
      // read on
    }
    const [span] = await spansEnded(tracing, 1);
    expect(span!.attributes.cost_usd).toBeCloseTo(COST, 12);
  });
});
