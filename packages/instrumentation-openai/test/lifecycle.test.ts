import { createServer } from 'node:net';
import {
  ATTR_COST_REASON,
  ATTR_COST_STATUS,
  ATTR_ERROR_TYPE,
  ATTR_GEN_AI_RESPONSE_ID,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
} from '@agentburn/core';
import { SpanStatusCode, type TracerProvider } from '@opentelemetry/api';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { chatCompletionChunks, type FakeOpenAIServer, startOpenAIServer } from '../../../test/fakes/openai-server';
import { requireOpenAI, setupHarness } from './harness';

const h = setupHarness();
const openai = requireOpenAI();
const { OpenAI } = openai;

let server: FakeOpenAIServer;
let client: InstanceType<typeof OpenAI>;
const messages = [{ role: 'user' as const, content: 'Say hello.' }];
const params = { model: 'gpt-4o', messages };

beforeAll(async () => {
  server = await startOpenAIServer();
});
afterAll(() => server.close());
beforeEach(() => {
  client = new OpenAI({ baseURL: server.url, apiKey: 'sk-test', maxRetries: 0 });
});
afterEach(() => {
  server.reset();
  h.reset();
  h.instrumentation.setConfig({});
});

/** Asserts the one span ended failed with `type`. */
async function expectFailedSpan(type: string) {
  const [span] = await h.ended(1);
  expect(h.spans()).toHaveLength(1);
  expect(span!.status.code).toBe(SpanStatusCode.ERROR);
  expect(span!.attributes[ATTR_ERROR_TYPE]).toBe(type);
  return span!;
}

describe('streams', () => {
  it('ends-span-on-early-break', async () => {
    server.defaults.streamChunks = 10;
    const stream = await client.chat.completions.create({ ...params, stream: true });
    let read = 0;
    for await (const _ of stream) {
      if (++read === 2) break;
    }
    const [span] = await h.ended(1);
    expect(h.spans()).toHaveLength(1);
    expect(span!.status.code).toBe(SpanStatusCode.UNSET);
    // The usage chunk was never reached: nothing is claimed.
    expect(span!.attributes[ATTR_GEN_AI_USAGE_INPUT_TOKENS]).toBeUndefined();
    expect(stream.controller.signal.aborted).toBe(true);
  });

  it('ends-span-on-iterator-return', async () => {
    const stream = await client.chat.completions.create({ ...params, stream: true });
    const iterator = stream[Symbol.asyncIterator]();
    await iterator.next();
    await iterator.return?.();
    await h.ended(1);
    expect(h.spans()).toHaveLength(1);
    // A second return is harmless and ends nothing twice.
    await iterator.return?.();
    expect(h.spans()).toHaveLength(1);
  });

  it('ends-span-on-abort', async () => {
    server.reply({ sse: chatCompletionChunks({ streamChunks: 2 }).slice(0, 2), holdOpen: true });
    const controller = new AbortController();
    const stream = await client.chat.completions.create({ ...params, stream: true }, { signal: controller.signal });
    const iterator = stream[Symbol.asyncIterator]();
    await iterator.next();
    controller.abort();
    // The SDK ends an aborted stream quietly; the span still ends once.
    for (let i = 0; i < 10; i++) if ((await iterator.next()).done) break;
    await h.ended(1);
    expect(h.spans()).toHaveLength(1);

    // Aborted before any response: the SDK's abort error, recorded on the span.
    h.reset();
    server.reply({ hang: true });
    const early = new AbortController();
    const pending = client.chat.completions.create(params, { signal: early.signal });
    early.abort();
    const error = await pending.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(openai.APIUserAbortError);
    await expectFailedSpan('APIUserAbortError');
  });

  it('ends-span-when-stream-never-read', async () => {
    h.instrumentation.setConfig({ unreadStreamTimeoutMs: 20 });
    const stream = await client.chat.completions.create({ ...params, stream: true });
    // Not a sleep: the span's end is the event awaited; the test timeout bounds it.
    const [span] = await h.ended(1);
    expect(span!.status.code).toBe(SpanStatusCode.UNSET);
    // The stream itself is still usable afterwards.
    let chunks = 0;
    for await (const _ of stream) chunks++;
    expect(chunks).toBe(5);
    expect(h.spans()).toHaveLength(1);

    // A streaming call whose promise is never awaited at all: the same bound ends its span.
    h.reset();
    void client.chat.completions.create({ ...params, stream: true });
    await h.ended(1);
    expect(h.spans()).toHaveLength(1);
  });

  it('ends-span-when-server-stalls-and-caller-walks-away', async () => {
    h.instrumentation.setConfig({ stalledStreamTimeoutMs: 20 });
    // Two chunks, then the server goes silent with the connection open.
    server.reply({ sse: chatCompletionChunks({ streamChunks: 2 }).slice(0, 2), holdOpen: true });
    const stream = await client.chat.completions.create({ ...params, stream: true });
    const iterator = stream[Symbol.asyncIterator]();
    await iterator.next();
    await iterator.next();
    // The caller asks for more, then gives up on the pending read (no return(), no abort).
    const abandoned = iterator.next().catch(() => undefined);
    const [span] = await h.ended(1);
    expect(h.spans()).toHaveLength(1);
    // It reached the exporter, not only the processors.
    expect(h.exporter.getFinishedSpans()).toHaveLength(1);
    expect(span!.attributes[ATTR_GEN_AI_RESPONSE_ID]).toBe('chatcmpl-fake-stream-1');
    // No usage chunk ever came: unpriced because usage is missing, not because gpt-4o has no price.
    expect(span!.attributes[ATTR_COST_STATUS]).toBe('unpriced');
    expect(span!.attributes[ATTR_COST_REASON]).toBe('usage_missing');
    stream.controller.abort();
    await abandoned;
    expect(h.spans()).toHaveLength(1);
  });

  it('ends-span-when-toReadableStream-is-never-read', async () => {
    h.instrumentation.setConfig({ unreadStreamTimeoutMs: 20 });
    const stream = await client.chat.completions.create({ ...params, stream: true });
    // A ReadableStream pulls one chunk by itself, then waits for a reader that never comes.
    const readable = stream.toReadableStream();
    const [span] = await h.ended(1);
    expect(span!.status.code).toBe(SpanStatusCode.UNSET);
    expect(h.spans()).toHaveLength(1);
    // Read later, it still delivers every chunk, and the span stays ended once.
    const reader = readable.getReader();
    let chunks = 0;
    for (let i = 0; i < 100; i++) {
      const { done } = await reader.read();
      if (done) break;
      chunks++;
    }
    expect(chunks).toBe(5);
    expect(h.spans()).toHaveLength(1);
  });

  it('ends-span-on-abort-during-stream', async () => {
    server.reply({ sse: chatCompletionChunks({ streamChunks: 2 }).slice(0, 2), holdOpen: true });
    const controller = new AbortController();
    const stream = await client.chat.completions.create({ ...params, stream: true }, { signal: controller.signal });
    const seen: unknown[] = [];
    for await (const chunk of stream) {
      seen.push(chunk);
      if (seen.length === 2) controller.abort();
    }
    // The SDK ends an aborted stream without throwing; the span still says it was aborted.
    expect(seen).toHaveLength(2);
    const span = await expectFailedSpan('APIUserAbortError');
    expect(span.attributes[ATTR_GEN_AI_USAGE_INPUT_TOKENS]).toBeUndefined();
  });

  it('ends-span-on-exception-in-loop-body', async () => {
    server.defaults.streamChunks = 10;
    const stream = await client.chat.completions.create({ ...params, stream: true });
    const thrown = new Error('caller bug');
    const caught = await (async () => {
      for await (const _ of stream) throw thrown;
    })().catch((e: unknown) => e);
    // The caller's own error, untouched; the span ends once, without claiming the caller's failure as the call's.
    expect(caught).toBe(thrown);
    const [span] = await h.ended(1);
    expect(h.spans()).toHaveLength(1);
    expect(span!.status.code).toBe(SpanStatusCode.UNSET);
    expect(span!.attributes[ATTR_GEN_AI_USAGE_INPUT_TOKENS]).toBeUndefined();
    // Leaving the loop stopped the download.
    expect(stream.controller.signal.aborted).toBe(true);
  });

  it('does-not-inject-when-disabled', async () => {
    h.instrumentation.setConfig({ injectStreamUsage: false });
    const stream = await client.chat.completions.create({ ...params, stream: true });
    for await (const _ of stream);
    expect(server.requests[0]!.body.stream_options).toBeUndefined();
    const [span] = await h.ended(1);
    // No usage reached us, and none is invented.
    expect(span!.attributes[ATTR_GEN_AI_USAGE_INPUT_TOKENS]).toBeUndefined();
    expect(span!.attributes[ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]).toBeUndefined();
  });
});

describe('errors', () => {
  it('ends-span-on-429', async () => {
    server.reply({
      error: { status: 429, message: 'Rate limit reached', type: 'requests', code: 'rate_limit_exceeded' },
    });
    const error = await client.chat.completions.create(params).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(openai.RateLimitError);
    const span = await expectFailedSpan('RateLimitError');
    expect(span.status.message).toContain('Rate limit reached');
    expect(server.requests).toHaveLength(1);
  });

  it('ends-span-on-500', async () => {
    server.reply({ error: { status: 500, message: 'boom', type: 'server_error' } });
    const error = await client.chat.completions.create({ ...params, stream: true }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(openai.InternalServerError);
    await expectFailedSpan('InternalServerError');
  });

  it('ends-span-on-timeout', async () => {
    server.reply({ hang: true });
    const error = await client.chat.completions.create(params, { timeout: 50 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(openai.APIConnectionTimeoutError);
    await expectFailedSpan('APIConnectionTimeoutError');
  });

  it('ends-span-on-connection-refused', async () => {
    // A port that was just free: nothing listens there.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as { port: number };
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const refused = new OpenAI({ baseURL: `http://127.0.0.1:${port}/v1`, apiKey: 'sk-test', maxRetries: 0 });
    const error = await refused.chat.completions.create(params).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(openai.APIConnectionError);
    await expectFailedSpan('APIConnectionError');
  });

  it('one-span-across-retries', async () => {
    const retrying = new OpenAI({ baseURL: server.url, apiKey: 'sk-test', maxRetries: 2 });
    // `retry-after-ms: 0` makes the SDK retry at once: no backoff wait in the test.
    server.reply(
      { error: { status: 429, message: 'Rate limit reached', type: 'requests' }, headers: { 'retry-after-ms': '0' } },
      { error: { status: 500, message: 'boom', type: 'server_error' }, headers: { 'retry-after-ms': '0' } },
    );
    const result = await retrying.chat.completions.create(params);
    expect(result.id).toBe('chatcmpl-fake-1');
    expect(server.requests).toHaveLength(3);
    const [span] = await h.ended(1);
    expect(h.spans()).toHaveLength(1);
    expect(span!.status.code).toBe(SpanStatusCode.UNSET);
    expect(span!.attributes[ATTR_ERROR_TYPE]).toBeUndefined();
    expect(span!.attributes[ATTR_GEN_AI_USAGE_INPUT_TOKENS]).toBe(12);
  });

  it('falls-back-to-the-original-call-when-span-start-throws', async () => {
    const broken = {
      getTracer: () => ({
        startSpan: () => {
          throw new Error('broken tracer');
        },
      }),
    };
    h.instrumentation.setTracerProvider(broken as unknown as TracerProvider);
    try {
      const result = await client.chat.completions.create(params);
      expect(result.id).toBe('chatcmpl-fake-1');
      const stream = await client.chat.completions.create({ ...params, stream: true });
      let chunks = 0;
      for await (const _ of stream) chunks++;
      expect(chunks).toBe(5);
      // Nothing was injected either: the request went out exactly as the caller made it.
      expect(server.requests[1]!.body.stream_options).toBeUndefined();
    } finally {
      h.instrumentation.setTracerProvider(h.provider);
    }
    expect(h.spans()).toHaveLength(0);
  });

  it('rethrows-same-error-instance', async () => {
    server.reply({ error: { status: 400, message: 'bad request' } });
    const promise = client.chat.completions.create(params);
    const viaAwait = await promise.catch((e: unknown) => e);
    const viaWithResponse = await promise.withResponse().catch((e: unknown) => e);
    expect(viaAwait).toBeInstanceOf(openai.BadRequestError);
    // The very instance the SDK produced: the same one on every path, and the one on the span.
    expect(viaWithResponse).toBe(viaAwait);
    const span = await expectFailedSpan('BadRequestError');
    expect(span.events.find((e) => e.name === 'exception')?.attributes?.['exception.message']).toBe(
      (viaAwait as Error).message,
    );
    // A synchronous throw inside create() (here: params the SDK rejects) reaches the caller as is.
    h.reset();
    let thrown: unknown;
    try {
      client.chat.completions.create(null as unknown as typeof params);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(TypeError);
    await expectFailedSpan('TypeError');
  });
});
