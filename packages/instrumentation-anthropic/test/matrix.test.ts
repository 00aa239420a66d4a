/**
 * Smoke test against another installed version of the SDK, run by
 * `test/matrix.sh` (which installs it into a scratch directory outside the
 * repository and points ANTHROPIC_SDK_MATRIX_DIR at it). Skipped otherwise.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  anthropicMessage,
  anthropicStreamEvents,
  type FakeAnthropicServer,
  startAnthropicServer,
} from '../../../test/fakes/anthropic-server';
import { SUPPORTED_VERSIONS } from '../src';
import { setupTracing, spansEnded } from './helpers';

const dir = process.env.ANTHROPIC_SDK_MATRIX_DIR;

describe.skipIf(!dir)(`@anthropic-ai/sdk from ANTHROPIC_SDK_MATRIX_DIR (supported: ${SUPPORTED_VERSIONS})`, () => {
  const tracing = setupTracing();
  const load = () => createRequire(join(dir!, 'package.json'));
  const sdk = dir ? load()('@anthropic-ai/sdk') : undefined;
  const version: string = dir
    ? JSON.parse(readFileSync(join(dir, 'node_modules/@anthropic-ai/sdk/package.json'), 'utf8')).version
    : '';
  const MODEL = 'claude-sonnet-4-6';
  const PARAMS = { model: MODEL, max_tokens: 64, messages: [{ role: 'user', content: 'hi' }] };
  const usage = {
    input_tokens: 1000,
    cache_read_input_tokens: 2000,
    cache_creation_input_tokens: 3000,
    cache_creation: { ephemeral_5m_input_tokens: 1000, ephemeral_1h_input_tokens: 2000 },
    output_tokens: 500,
  };
  // claude-sonnet-4-6: 1000 x 3 + 2000 x 0.3 + 1000 x 3.75 + 2000 x 6 + 500 x 15 = 26850 per 1e6 -> 0.02685 USD
  const COST = 0.02685;
  const message = () => anthropicMessage({ id: 'msg_matrix', model: MODEL, text: 'Hi!', usage });

  let fake: FakeAnthropicServer;
  let client: any;
  beforeAll(async () => {
    fake = await startAnthropicServer();
    client = new sdk.Anthropic({ apiKey: 'sk-test', baseURL: fake.url, maxRetries: 0 });
  });
  afterEach(() => {
    fake.reset();
    tracing.exporter.reset();
  });
  afterAll(async () => {
    await fake.close();
  });

  it('patches-the-installed-version', () => {
    expect(version).not.toBe('1.14.0');
    expect(sdk.Anthropic.Messages.prototype.create.__wrapped).toBe(true);
  });

  it('records-usage-cache-inclusive-input', async () => {
    fake.reply({ json: message() });
    await client.messages.create(PARAMS);
    const [span] = await spansEnded(tracing, 1);
    expect(span!.name).toBe(`chat ${MODEL}`);
    expect(span!.attributes['gen_ai.usage.input_tokens']).toBe(6000);
    expect(span!.attributes['agentburn.usage.cache_creation_1h.input_tokens']).toBe(2000);
    expect(span!.attributes.cost_usd).toBeCloseTo(COST, 12);
  });

  it('streams-and-message-stream-one-span-each', async () => {
    fake.reply({ sse: anthropicStreamEvents(message()) }, { sse: anthropicStreamEvents(message()) });
    const stream = await client.messages.create({ ...PARAMS, stream: true });
    for await (const _ of stream) {
      // read it all
    }
    await client.messages.stream(PARAMS).finalMessage();
    const spans = await spansEnded(tracing, 2);
    expect(spans).toHaveLength(2);
    for (const span of spans) expect(span.attributes['gen_ai.usage.output_tokens']).toBe(500);
  });

  it('beta-messages-create', async () => {
    fake.reply({ json: message() });
    await client.beta.messages.create(PARAMS);
    const [span] = await spansEnded(tracing, 1);
    expect(span!.attributes.cost_usd).toBeCloseTo(COST, 12);
  });

  it('rethrows-same-error-instance-on-429', async () => {
    fake.reply({ error: { status: 429, type: 'rate_limit_error' } });
    const error = await client.messages.create(PARAMS).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(sdk.RateLimitError);
    const [span] = await spansEnded(tracing, 1);
    expect(span!.attributes['error.type']).toBe('RateLimitError');
  });

  it('ends-span-on-early-break', async () => {
    fake.reply({ sse: anthropicStreamEvents(message(), { ping: false }), holdAfter: 3 });
    const stream = await client.messages.create({ ...PARAMS, stream: true });
    for await (const _ of stream) break;
    const [span] = await spansEnded(tracing, 1);
    expect(span!.attributes['gen_ai.usage.input_tokens']).toBe(6000);
    await fake.requests[0]!.closed;
    expect(fake.requests[0]!.abortedByClient).toBe(true);
  });

  it('does-not-break-withResponse-and-asResponse', async () => {
    fake.reply({ json: message() }, { json: message() });
    const { data } = await client.messages.create(PARAMS).withResponse();
    expect(data.id).toBe('msg_matrix');
    const response = await client.messages.create(PARAMS).asResponse();
    expect((await response.json()).id).toBe('msg_matrix');
    expect(await spansEnded(tracing, 2)).toHaveLength(2);
  });
});
