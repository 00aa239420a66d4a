import { createRequire } from 'node:module';
import { metrics, SpanKind, SpanStatusCode, type TracerProvider } from '@opentelemetry/api';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  type AnthropicSseEvent,
  anthropicMessage,
  anthropicStreamEvents,
  type FakeAnthropicServer,
  startAnthropicServer,
} from '../../../test/fakes/anthropic-server';
import { requireSdk, setupTracing, spansEnded } from './helpers';

const tracing = setupTracing();
const sdk = requireSdk();
const { Anthropic } = sdk;
const { Stream } = createRequire(import.meta.url)('@anthropic-ai/sdk/streaming');

// claude-sonnet-4-6 in @pydantic/genai-prices 0.1.8, USD per million tokens:
// input 3, output 15, cache read 0.3, cache write (5 min) 3.75, cache write (1 h) 6.
const MODEL = 'claude-sonnet-4-6';
const PARAMS = { model: MODEL, max_tokens: 256, messages: [{ role: 'user', content: 'Say hi' }] };

// Raw Anthropic usage: `input_tokens` excludes the 2000 cache reads and the 3000 cache writes.
const CACHED_USAGE = {
  input_tokens: 1000,
  cache_read_input_tokens: 2000,
  cache_creation_input_tokens: 3000,
  cache_creation: { ephemeral_5m_input_tokens: 1000, ephemeral_1h_input_tokens: 2000 },
  output_tokens: 500,
};
// Hand-computed cost of CACHED_USAGE on claude-sonnet-4-6:
//   input        1000 x 3    / 1e6 = 0.003
//   cache read   2000 x 0.3  / 1e6 = 0.0006
//   write 5m     1000 x 3.75 / 1e6 = 0.00375
//   write 1h     2000 x 6    / 1e6 = 0.012
//   output        500 x 15   / 1e6 = 0.0075
//   total                          = 0.02685
const CACHED_USAGE_COST = 0.02685;

let fake: FakeAnthropicServer;
let client: any;

beforeAll(async () => {
  fake = await startAnthropicServer();
  client = new Anthropic({ apiKey: 'sk-test-key', baseURL: fake.url, maxRetries: 0 });
});
afterEach(() => {
  fake.reset();
  tracing.exporter.reset();
  tracing.instrumentation.setConfig({});
});
afterAll(async () => {
  await fake.close();
  await tracing.provider.shutdown();
});

const cachedMessage = () =>
  anthropicMessage({ id: 'msg_cached', model: MODEL, text: 'Hi there!', usage: CACHED_USAGE });

async function onlySpan() {
  const spans = await spansEnded(tracing, 1);
  expect(spans).toHaveLength(1);
  return spans[0]!;
}

/** Waits until the fake has received `count` requests (the call is in flight). */
async function requestsReceived(count: number) {
  for (let i = 0; i < 10_000 && fake.requests.length < count; i++) await new Promise((r) => setImmediate(r));
  expect(fake.requests).toHaveLength(count);
}

describe('usage and cost', () => {
  it('records-usage-cache-inclusive-input', async () => {
    fake.reply({ json: cachedMessage() });
    const message = await client.messages.create(PARAMS);
    expect(message.id).toBe('msg_cached');

    const span = await onlySpan();
    expect(span.name).toBe(`chat ${MODEL}`);
    expect(span.kind).toBe(SpanKind.CLIENT);
    expect(span.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'anthropic',
      'gen_ai.request.model': MODEL,
      'gen_ai.request.max_tokens': 256,
      'gen_ai.response.model': MODEL,
      'gen_ai.response.id': 'msg_cached',
      'gen_ai.response.finish_reasons': ['end_turn'],
      'server.address': '127.0.0.1',
      'server.port': fake.port,
      // 1000 uncached + 2000 read + 3000 written
      'gen_ai.usage.input_tokens': 6000,
      'gen_ai.usage.cache_read.input_tokens': 2000,
      'gen_ai.usage.cache_creation.input_tokens': 3000,
      'gen_ai.usage.output_tokens': 500,
    });
    expect(span.attributes.cost_usd).toBeCloseTo(CACHED_USAGE_COST, 12);
    expect(span.attributes['agentburn.cost.status']).toBe('priced');
  });

  it('records-1h-cache-creation-split', async () => {
    // Only 1-hour writes: 500 x 6 / 1e6 = 0.003; input 100 x 3 / 1e6 = 0.0003; output 10 x 15 / 1e6 = 0.00015.
    // Total 0.00345 (priced at the 5-minute rate it would be 0.0025875).
    const usage = {
      input_tokens: 100,
      cache_read_input_tokens: 0,
      cache_creation_input_tokens: 500,
      cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 500 },
      output_tokens: 10,
    };
    fake.reply({ json: anthropicMessage({ model: MODEL, text: 'ok', usage }) });
    await client.messages.create(PARAMS);

    const span = await onlySpan();
    expect(span.attributes['gen_ai.usage.input_tokens']).toBe(600);
    expect(span.attributes['gen_ai.usage.cache_creation.input_tokens']).toBe(500);
    expect(span.attributes['agentburn.usage.cache_creation_1h.input_tokens']).toBe(500);
    expect(span.attributes.cost_usd).toBeCloseTo(0.00345, 12);
  });

  it('prices-compaction-iterations-on-own-span', async () => {
    // Server-side compaction: a compaction step, then the message step. The top-level usage is the
    // message step's alone; both are billed.
    const usage = {
      input_tokens: 2000,
      cache_read_input_tokens: 0,
      cache_creation_input_tokens: 0,
      output_tokens: 500,
      iterations: [
        {
          type: 'compaction',
          input_tokens: 1000,
          cache_read_input_tokens: 150000,
          cache_creation_input_tokens: 0,
          output_tokens: 3000,
        },
        {
          type: 'message',
          input_tokens: 2000,
          cache_read_input_tokens: 0,
          cache_creation_input_tokens: 0,
          output_tokens: 500,
        },
      ],
    };
    const compacted = () => anthropicMessage({ id: 'msg_compacted', model: MODEL, text: 'Done.', usage });
    fake.reply({ json: compacted() }, { sse: anthropicStreamEvents(compacted(), { finalUsage: usage }) });
    await client.messages.create(PARAMS);
    const stream = await client.messages.create({ ...PARAMS, stream: true });
    for await (const _ of stream) {
      // read it all
    }
    const spans = await spansEnded(tracing, 2);
    // compaction: 1000 x 3 + 150000 x 0.3 + 3000 x 15 = 3000 + 45000 + 45000 = 93000 -> 0.093
    // message:    2000 x 3 + 500 x 15                 = 6000 + 7500          = 13500 -> 0.0135
    // total 0.1065 (the top-level usage alone gives 0.0135, 7.9x too low)
    for (const span of spans) {
      expect(span.attributes['gen_ai.usage.input_tokens']).toBe(153000);
      expect(span.attributes['gen_ai.usage.cache_read.input_tokens']).toBe(150000);
      expect(span.attributes['gen_ai.usage.output_tokens']).toBe(3500);
      expect(span.attributes.cost_usd).toBe(0.1065);
      expect(span.attributes['agentburn.cost.cache_read_usd']).toBe(0.045);
      expect(span.attributes['agentburn.cost.status']).toBe('priced');
      expect(span.attributes['agentburn.cost.estimated']).toBeUndefined();
    }
  });

  it('streams-usage-from-message-start-and-delta', async () => {
    // message_start carries input 40 + cache read 60 (and a placeholder output of 1);
    // message_delta carries the cumulative output 700 and updated figures: input 50, cache read 80.
    const startUsage = {
      input_tokens: 40,
      cache_read_input_tokens: 60,
      cache_creation_input_tokens: 0,
      output_tokens: 1,
    };
    const message = anthropicMessage({ id: 'msg_stream', model: MODEL, text: 'Streaming text', usage: startUsage });
    fake.reply({
      sse: anthropicStreamEvents(message, {
        finalUsage: {
          output_tokens: 700,
          input_tokens: 50,
          cache_read_input_tokens: 80,
          cache_creation_input_tokens: null,
        },
      }),
    });
    const stream = await client.messages.create({ ...PARAMS, stream: true });
    const types: string[] = [];
    for await (const event of stream) types.push(event.type);
    expect(types[0]).toBe('message_start');
    expect(types.at(-1)).toBe('message_stop');

    const span = await onlySpan();
    expect(span.attributes).toMatchObject({
      'gen_ai.request.stream': true,
      'gen_ai.response.id': 'msg_stream',
      'gen_ai.response.finish_reasons': ['end_turn'],
      // 50 + 80 + 0: the delta's figures replace message_start's; a null one keeps the earlier value
      'gen_ai.usage.input_tokens': 130,
      'gen_ai.usage.cache_read.input_tokens': 80,
      'gen_ai.usage.cache_creation.input_tokens': 0,
      'gen_ai.usage.output_tokens': 700,
    });
    // 50 x 3 / 1e6 + 80 x 0.3 / 1e6 + 700 x 15 / 1e6 = 0.00015 + 0.000024 + 0.0105 = 0.010674
    expect(span.attributes.cost_usd).toBeCloseTo(0.010674, 12);
  });

  it('message-stream-finalMessage-one-span', async () => {
    fake.reply({ sse: anthropicStreamEvents(cachedMessage()) });
    const final = await client.messages.stream(PARAMS).finalMessage();
    expect(final.usage.output_tokens).toBe(500);

    const span = await onlySpan();
    expect(span.attributes['gen_ai.usage.input_tokens']).toBe(6000);
    expect(span.attributes['gen_ai.usage.output_tokens']).toBe(500);
    expect(span.attributes.cost_usd).toBeCloseTo(CACHED_USAGE_COST, 12);
    expect(fake.requests).toHaveLength(1);
  });

  it('message-stream-events-only-one-span', async () => {
    fake.reply({ sse: anthropicStreamEvents(cachedMessage()) });
    const stream = client.messages.stream(PARAMS);
    let text = '';
    stream.on('text', (delta: string) => {
      text += delta;
    });
    await new Promise<void>((resolve) => stream.on('end', () => resolve()));
    expect(text).toBe('Hi there!');

    const span = await onlySpan();
    expect(span.attributes['gen_ai.usage.output_tokens']).toBe(500);
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
  });

  it('beta-messages-create', async () => {
    fake.reply({ json: cachedMessage() });
    const message = await client.beta.messages.create({ ...PARAMS, betas: ['extended-cache-ttl-2025-04-11'] });
    expect(message.id).toBe('msg_cached');
    expect(fake.requests[0]!.headers['anthropic-beta']).toBe('extended-cache-ttl-2025-04-11');

    const span = await onlySpan();
    expect(span.name).toBe(`chat ${MODEL}`);
    expect(span.attributes['gen_ai.usage.input_tokens']).toBe(6000);
    expect(span.attributes.cost_usd).toBeCloseTo(CACHED_USAGE_COST, 12);
  });

  it('beta-messages-stream-one-span', async () => {
    fake.reply({ sse: anthropicStreamEvents(cachedMessage()) });
    const final = await client.beta.messages.stream(PARAMS).finalMessage();
    expect(final.id).toBe('msg_cached');
    const span = await onlySpan();
    expect(span.attributes['gen_ai.usage.output_tokens']).toBe(500);
  });
});

describe('lifecycle', () => {
  // A stream whose server sends message_start and one delta, then waits.
  const heldStream = (): { sse: AnthropicSseEvent[]; holdAfter: number } => ({
    sse: anthropicStreamEvents(cachedMessage(), { ping: false }),
    holdAfter: 3,
  });

  it('ends-span-on-early-break', async () => {
    fake.reply(heldStream());
    const stream = await client.messages.create({ ...PARAMS, stream: true });
    for await (const event of stream) {
      if (event.type === 'content_block_start') break;
    }
    const span = await onlySpan();
    // Input usage is known from message_start; the output count is not final yet, so it is left out.
    expect(span.attributes['gen_ai.usage.input_tokens']).toBe(6000);
    expect(span.attributes['gen_ai.usage.output_tokens']).toBeUndefined();
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
    // The download stopped: the client closed the connection before the server finished.
    await fake.requests[0]!.closed;
    expect(fake.requests[0]!.abortedByClient).toBe(true);
  });

  it('ends-span-on-iterator-return', async () => {
    fake.reply(heldStream());
    const stream = await client.messages.create({ ...PARAMS, stream: true });
    const iterator = stream[Symbol.asyncIterator]();
    expect((await iterator.next()).value.type).toBe('message_start');
    await iterator.return();
    const span = await onlySpan();
    expect(span.attributes['gen_ai.response.id']).toBe('msg_cached');
    await fake.requests[0]!.closed;
    expect(fake.requests[0]!.abortedByClient).toBe(true);
  });

  it('ends-span-on-exception-in-loop-body', async () => {
    fake.reply(heldStream());
    const stream = await client.messages.create({ ...PARAMS, stream: true });
    const thrown = new Error('caller bug');
    const caught = await (async () => {
      for await (const _ of stream) throw thrown;
    })().catch((e: unknown) => e);
    // The caller's own error, untouched; the span ends once, not blamed for the caller's failure.
    expect(caught).toBe(thrown);
    const span = await onlySpan();
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
    expect(span.attributes['gen_ai.response.id']).toBe('msg_cached');
    expect(span.attributes['gen_ai.usage.output_tokens']).toBeUndefined();
    // Leaving the loop stopped the download.
    await fake.requests[0]!.closed;
    expect(fake.requests[0]!.abortedByClient).toBe(true);
  });

  it('ends-span-on-abort-before-stream-response', async () => {
    fake.reply({ hang: true });
    const controller = new AbortController();
    const pending = client.messages.create({ ...PARAMS, stream: true }, { signal: controller.signal });
    await requestsReceived(1);
    controller.abort();
    const error = await pending.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(sdk.APIUserAbortError);
    const span = await onlySpan();
    expect(span.attributes['error.type']).toBe('APIUserAbortError');
    expect(span.attributes['gen_ai.request.stream']).toBe(true);
  });

  it('ends-span-on-abort', async () => {
    fake.reply({ hang: true });
    const controller = new AbortController();
    const pending = client.messages.create(PARAMS, { signal: controller.signal });
    await requestsReceived(1);
    controller.abort();
    await expect(pending).rejects.toBeInstanceOf(sdk.APIUserAbortError);
    const span = await onlySpan();
    expect(span.attributes['error.type']).toBe('APIUserAbortError');
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
  });

  it('ends-span-on-stream-controller-abort', async () => {
    fake.reply(heldStream());
    const stream = await client.messages.create({ ...PARAMS, stream: true });
    const seen: string[] = [];
    for await (const event of stream) {
      seen.push(event.type);
      if (seen.length === 2) stream.controller.abort();
    }
    // The SDK ends an aborted stream quietly; the span still records the abort.
    expect(seen.slice(0, 2)).toEqual(['message_start', 'content_block_start']);
    expect(seen).not.toContain('message_stop');
    const span = await onlySpan();
    expect(span.attributes['error.type']).toBe('APIUserAbortError');
  });

  it('ends-span-on-message-stream-abort', async () => {
    fake.reply(heldStream());
    const stream = client.messages.stream(PARAMS);
    await new Promise<void>((resolve) => stream.on('streamEvent', () => resolve()));
    stream.abort();
    await expect(stream.finalMessage()).rejects.toBeInstanceOf(sdk.APIUserAbortError);
    const span = await onlySpan();
    expect(span.attributes['error.type']).toBe('APIUserAbortError');
  });

  it.each([
    ['ends-span-on-429', 429, 'rate_limit_error', 'RateLimitError'],
    ['ends-span-on-500', 500, 'api_error', 'InternalServerError'],
    ['ends-span-on-overloaded', 529, 'overloaded_error', 'OverloadedError'],
  ])('%s', async (_name, status, type, errorClass) => {
    fake.reply({ error: { status, type, message: `fake ${type}` } });
    const error = await client.messages.create(PARAMS).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(sdk.APIError);
    expect(error.status).toBe(status);
    const span = await onlySpan();
    expect(span.attributes['error.type']).toBe(errorClass);
    expect(span.status).toEqual({ code: SpanStatusCode.ERROR, message: error.message });
    expect(span.attributes.cost_usd).toBeUndefined();
  });

  it('ends-span-once-across-retries', async () => {
    const retrying = client.withOptions({ maxRetries: 2 });
    fake.reply({ error: { status: 529, type: 'overloaded_error' } }, { json: cachedMessage() });
    await retrying.messages.create(PARAMS);
    expect(fake.requests).toHaveLength(2);
    const span = await onlySpan();
    expect(span.attributes['error.type']).toBeUndefined();
    expect(span.attributes['gen_ai.usage.output_tokens']).toBe(500);
  });

  it('ends-span-on-stream-error-event', async () => {
    const events = anthropicStreamEvents(cachedMessage(), { ping: false }).slice(0, 3);
    events.push({
      event: 'error',
      data: { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } },
    });
    fake.reply({ sse: events });
    const stream = await client.messages.create({ ...PARAMS, stream: true });
    const error = await (async () => {
      for await (const _ of stream) {
        // read on
      }
    })().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(sdk.APIError);
    const span = await onlySpan();
    // The SDK throws a plain APIError for an `error` event mid-stream.
    expect(span.attributes['error.type']).toBe('APIError');
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
  });

  it('ends-span-on-timeout', async () => {
    fake.reply({ hang: true });
    const error = await client
      .withOptions({ timeout: 50 })
      .messages.create(PARAMS)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(sdk.APIConnectionTimeoutError);
    const span = await onlySpan();
    expect(span.attributes['error.type']).toBe('APIConnectionTimeoutError');
  });

  it('ends-span-on-connection-refused', async () => {
    const closed = await startAnthropicServer();
    const url = closed.url;
    await closed.close();
    const refused = new Anthropic({ apiKey: 'sk-test-key', baseURL: url, maxRetries: 0 });
    const error = await refused.messages.create(PARAMS).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(sdk.APIConnectionError);
    const span = await onlySpan();
    expect(span.attributes['error.type']).toBe('APIConnectionError');
  });

  it('ends-span-when-stream-never-read', async () => {
    tracing.instrumentation.setConfig({ unreadStreamTimeoutMs: 1 });
    fake.reply(heldStream());
    const stream = await client.messages.create({ ...PARAMS, stream: true });
    const span = await onlySpan();
    expect(span.attributes['gen_ai.request.stream']).toBe(true);
    expect(span.attributes['gen_ai.usage.input_tokens']).toBeUndefined();
    // Nothing was consumed on the caller's behalf: a late reader still gets every event from the start.
    fake.release();
    const types: string[] = [];
    for await (const event of stream) types.push(event.type);
    expect(types[0]).toBe('message_start');
    expect(types.at(-1)).toBe('message_stop');
    expect(tracing.spans()).toHaveLength(1);
  });

  it('ends-span-when-server-stalls-and-caller-walks-away', async () => {
    tracing.instrumentation.setConfig({ stalledStreamTimeoutMs: 20 });
    fake.reply(heldStream());
    const stream = await client.messages.create({ ...PARAMS, stream: true });
    const iterator = stream[Symbol.asyncIterator]();
    for (let i = 0; i < 3; i++) await iterator.next();
    // The server holds the rest; the caller's next read is never settled, and the caller moves on.
    const abandoned = iterator.next().catch(() => undefined);
    const span = await onlySpan();
    expect(span.attributes['gen_ai.response.id']).toBe('msg_cached');
    expect(span.attributes['agentburn.cost.status']).toBe('partial');
    fake.release();
    await abandoned;
    expect(tracing.spans()).toHaveLength(1);
  });

  it('marks-stream-cut-after-message-start-partial', async () => {
    fake.reply(heldStream());
    const stream = await client.messages.create({ ...PARAMS, stream: true });
    for await (const event of stream) {
      if (event.type === 'message_start') break;
    }
    const span = await onlySpan();
    // Priced from message_start's input figures alone; the output was never reported:
    //   input 0.003 + cache read 0.0006 + write 5m 0.00375 + write 1h 0.012 = 0.01935
    expect(span.attributes.cost_usd).toBe(0.01935);
    expect(span.attributes['agentburn.cost.output_usd']).toBe(0);
    expect(span.attributes['agentburn.cost.status']).toBe('partial');
    expect(span.attributes['agentburn.cost.reason']).toBe('usage_missing');
  });

  it('ends-span-when-promise-never-awaited', async () => {
    tracing.instrumentation.setConfig({ unreadStreamTimeoutMs: 1 });
    fake.reply({ json: cachedMessage() });
    client.messages.create(PARAMS);
    const span = await onlySpan();
    expect(span.attributes['gen_ai.response.id']).toBeUndefined();
  });
});

describe('the SDK keeps its own objects', () => {
  it('does-not-break-withResponse', async () => {
    fake.reply({ json: cachedMessage() });
    const promise = client.messages.create(PARAMS);
    expect(promise).toBeInstanceOf(sdk.APIPromise);
    const { data, response, request_id } = await promise.withResponse();
    expect(data.id).toBe('msg_cached');
    expect(response.status).toBe(200);
    expect(request_id).toBe('req_fake_01');
    const span = await onlySpan();
    expect(span.attributes['gen_ai.usage.output_tokens']).toBe(500);
  });

  it('does-not-break-asResponse', async () => {
    fake.reply({ json: cachedMessage() });
    const response = await client.messages.create(PARAMS).asResponse();
    // The caller reads the raw body; the instrumentation did not.
    expect((await response.json()).id).toBe('msg_cached');
    const span = await onlySpan();
    expect(span.attributes['gen_ai.response.id']).toBeUndefined();
    expect(span.attributes['error.type']).toBeUndefined();
  });

  it('keeps-stream-instance-tee-and-controller', async () => {
    fake.reply({ sse: anthropicStreamEvents(cachedMessage()) });
    const promise = client.messages.create({ ...PARAMS, stream: true });
    const stream = await promise;
    expect(stream).toBeInstanceOf(Stream);
    expect(stream.controller).toBeInstanceOf(AbortController);
    expect(await promise).toBe(stream);
    const [left, right] = stream.tee();
    const read = async (s: AsyncIterable<{ type: string }>) => {
      const types: string[] = [];
      for await (const event of s) types.push(event.type);
      return types;
    };
    const [a, b] = await Promise.all([read(left), read(right)]);
    expect(a).toEqual(b);
    expect(a.at(-1)).toBe('message_stop');
    const span = await onlySpan();
    expect(span.attributes['gen_ai.usage.output_tokens']).toBe(500);
  });

  it('keeps-toReadableStream', async () => {
    fake.reply({ sse: anthropicStreamEvents(cachedMessage()) });
    const stream = await client.messages.create({ ...PARAMS, stream: true });
    const readable = stream.toReadableStream();
    const text = await new Response(readable).text();
    const types = text
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line).type);
    expect(types[0]).toBe('message_start');
    expect(types.at(-1)).toBe('message_stop');
    const span = await onlySpan();
    expect(span.attributes['gen_ai.usage.output_tokens']).toBe(500);
  });

  it('rethrows-same-error-instance', async () => {
    fake.reply({ error: { status: 429, type: 'rate_limit_error', message: 'slow down' } });
    const promise = client.messages.create(PARAMS);
    const first = await promise.catch((e: unknown) => e);
    const second = await promise.catch((e: unknown) => e);
    // The SDK's own error, unwrapped and uncopied: one instance for every consumer.
    expect(first).toBe(second);
    expect(first.constructor).toBe(sdk.RateLimitError);
    expect(first.status).toBe(429);
    expect(first.error).toEqual({ type: 'error', error: { type: 'rate_limit_error', message: 'slow down' } });
    const span = await onlySpan();
    expect(span.events.map((e) => e.name)).toEqual(['exception']);
    expect(span.events[0]?.attributes?.['exception.message']).toBe(first.message);
  });
});

describe('content', () => {
  const withSystem = { ...PARAMS, system: 'You are terse.' };

  it('no-content-by-default', async () => {
    fake.reply({ json: cachedMessage() });
    await client.messages.create(withSystem);
    const span = await onlySpan();
    const keys = Object.keys(span.attributes);
    expect(keys.filter((key) => key.includes('messages') || key.includes('instructions'))).toEqual([]);
    expect(JSON.stringify(span.attributes)).not.toContain('Say hi');
    expect(JSON.stringify(span.attributes)).not.toContain('sk-test-key');
  });

  it('captures-content-on-opt-in', async () => {
    tracing.instrumentation.setConfig({ captureContent: true });
    fake.reply({ json: cachedMessage() });
    await client.messages.create(withSystem);
    const span = await onlySpan();
    expect(JSON.parse(span.attributes['gen_ai.input.messages'] as string)).toEqual([
      { role: 'user', parts: [{ type: 'text', content: 'Say hi' }] },
    ]);
    expect(JSON.parse(span.attributes['gen_ai.system_instructions'] as string)).toEqual([
      { type: 'text', content: 'You are terse.' },
    ]);
    expect(JSON.parse(span.attributes['gen_ai.output.messages'] as string)).toEqual([
      { role: 'assistant', parts: [{ type: 'text', content: 'Hi there!' }], finish_reason: 'end_turn' },
    ]);
    expect(JSON.stringify(span.attributes)).not.toContain('sk-test-key');
  });

  it('captures-streamed-content-on-opt-in', async () => {
    tracing.instrumentation.setConfig({ captureContent: true });
    const message = anthropicMessage({
      model: MODEL,
      usage: CACHED_USAGE,
      stopReason: 'tool_use',
      content: [
        { type: 'text', text: 'Checking.' },
        { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } },
      ],
    });
    fake.reply({ sse: anthropicStreamEvents(message) });
    await client.messages.stream(PARAMS).finalMessage();
    const span = await onlySpan();
    expect(JSON.parse(span.attributes['gen_ai.output.messages'] as string)).toEqual([
      {
        role: 'assistant',
        parts: [
          { type: 'text', content: 'Checking.' },
          { type: 'tool_call', id: 'toolu_1', name: 'get_weather', arguments: { city: 'Paris' } },
        ],
        finish_reason: 'tool_use',
      },
    ]);
  });
});

describe('metrics and robustness', () => {
  class TestReader extends MetricReader {
    protected override async onForceFlush() {}
    protected override async onShutdown() {}
  }

  it('records-token-usage-and-duration-metrics', async () => {
    const reader = new TestReader();
    const meterProvider = new MeterProvider({ readers: [reader] });
    tracing.instrumentation.setMeterProvider(meterProvider);
    try {
      fake.reply({ json: cachedMessage() }, { error: { status: 429, type: 'rate_limit_error' } });
      await client.messages.create(PARAMS);
      await client.messages.create(PARAMS).catch(() => undefined);
      await spansEnded(tracing, 2);
      const { resourceMetrics } = await reader.collect();
      const metrics = resourceMetrics.scopeMetrics.flatMap((scope) => scope.metrics);
      const tokens = metrics.find((m) => m.descriptor.name === 'gen_ai.client.token.usage');
      expect(
        (tokens?.dataPoints ?? []).map((p) => [p.attributes['gen_ai.token.type'], (p.value as { sum: number }).sum]),
      ).toEqual([
        ['input', 6000],
        ['output', 500],
      ]);
      const duration = metrics.find((m) => m.descriptor.name === 'gen_ai.client.operation.duration');
      expect(duration?.descriptor.unit).toBe('s');
      expect((duration?.dataPoints ?? []).map((p) => p.attributes['error.type'])).toEqual([
        undefined,
        'RateLimitError',
      ]);
    } finally {
      await meterProvider.shutdown();
      tracing.instrumentation.setMeterProvider(metrics.getMeterProvider());
    }
  });

  it('falls-back-to-the-original-call-when-span-start-throws', async () => {
    const broken = {
      getTracer: () => ({
        startSpan: () => {
          throw new Error('broken tracer');
        },
      }),
    };
    tracing.instrumentation.setTracerProvider(broken as unknown as TracerProvider);
    try {
      fake.reply({ json: cachedMessage() });
      const message = await client.messages.create(PARAMS);
      expect(message.id).toBe('msg_cached');
    } finally {
      tracing.instrumentation.setTracerProvider(tracing.provider);
    }
    expect(tracing.spans()).toHaveLength(0);
  });
});
