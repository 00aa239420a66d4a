import { createRequire } from 'node:module';
import {
  ATTR_COST_CACHE_READ_USD,
  ATTR_COST_ESTIMATED,
  ATTR_COST_INPUT_USD,
  ATTR_COST_OUTPUT_USD,
  ATTR_COST_REASON,
  ATTR_COST_STATUS,
  ATTR_COST_USD,
  ATTR_ERROR_TYPE,
  ATTR_GEN_AI_INPUT_MESSAGES,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_OUTPUT_MESSAGES,
  ATTR_GEN_AI_OUTPUT_TYPE,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_RESPONSE_FINISH_REASONS,
  ATTR_GEN_AI_RESPONSE_ID,
  ATTR_GEN_AI_RESPONSE_MODEL,
  ATTR_GEN_AI_SYSTEM_INSTRUCTIONS,
  ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
  ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS,
  ATTR_OPENAI_REQUEST_SERVICE_TIER,
  ATTR_OPENAI_RESPONSE_SERVICE_TIER,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
} from '@agentburn/core';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import {
  AggregationTemporality,
  type HistogramMetricData,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  chatCompletion,
  chatCompletionChunks,
  type FakeOpenAIServer,
  response,
  responseEvents,
  startOpenAIServer,
} from '../../../test/fakes/openai-server';
import { requireOpenAI, setupHarness } from './harness';

const require = createRequire(import.meta.url);
const h = setupHarness();
const openai = requireOpenAI();
const { OpenAI, AzureOpenAI } = openai;

let server: FakeOpenAIServer;
let client: InstanceType<typeof OpenAI>;
const messages = [{ role: 'user' as const, content: 'Say hello.' }];

interface ChunkLike {
  choices: Array<{ delta: { content?: string | null } }>;
  usage?: { prompt_tokens: number } | null;
}
/** Params as plain JSON, where the helper typings want zod-built or runnable-tool objects. */
// biome-ignore lint/suspicious/noExplicitAny: deliberately untyped request params
type LooseParams = any;

beforeAll(async () => {
  server = await startOpenAIServer();
});
afterAll(() => server.close());
beforeEach(() => {
  client = new OpenAI({ baseURL: server.url, apiKey: 'sk-test-secret', maxRetries: 0 });
});
afterEach(() => {
  server.reset();
  h.reset();
  h.instrumentation.setConfig({});
});

describe('chat completions', () => {
  it('records-chat-usage-and-cost', async () => {
    server.reply({
      json: chatCompletion({
        id: 'chatcmpl-abc',
        responseModel: 'gpt-4o-2024-08-06',
        chatUsage: { prompt_tokens: 12, completion_tokens: 5, total_tokens: 17 },
      }),
    });
    const result = await client.chat.completions.create({ model: 'gpt-4o', messages });
    expect(result.choices[0]?.message.content).toBe('Hello from the fake.');

    const [span] = await h.ended(1);
    expect(h.spans()).toHaveLength(1);
    expect(span!.name).toBe('chat gpt-4o');
    expect(span!.kind).toBe(SpanKind.CLIENT);
    expect(span!.attributes).toMatchObject({
      [ATTR_GEN_AI_OPERATION_NAME]: 'chat',
      [ATTR_GEN_AI_PROVIDER_NAME]: 'openai',
      [ATTR_SERVER_ADDRESS]: '127.0.0.1',
      [ATTR_SERVER_PORT]: server.port,
      [ATTR_GEN_AI_REQUEST_MODEL]: 'gpt-4o',
      [ATTR_GEN_AI_RESPONSE_MODEL]: 'gpt-4o-2024-08-06',
      [ATTR_GEN_AI_RESPONSE_ID]: 'chatcmpl-abc',
      [ATTR_GEN_AI_RESPONSE_FINISH_REASONS]: ['stop'],
      [ATTR_GEN_AI_USAGE_INPUT_TOKENS]: 12,
      [ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: 5,
      [ATTR_COST_STATUS]: 'priced',
    });
    // gpt-4o: $2.50/M input, $10/M output. 12 x 2.5e-6 + 5 x 10e-6 = 0.00003 + 0.00005
    expect(span!.attributes[ATTR_COST_USD]).toBeCloseTo(0.00008, 12);
    expect(span!.attributes[ATTR_COST_INPUT_USD]).toBeCloseTo(0.00003, 12);
    expect(span!.attributes[ATTR_COST_OUTPUT_USD]).toBeCloseTo(0.00005, 12);
  });

  it('records-cached-and-reasoning-tokens', async () => {
    server.reply({
      json: chatCompletion({
        chatUsage: {
          prompt_tokens: 1000,
          completion_tokens: 200,
          total_tokens: 1200,
          prompt_tokens_details: { cached_tokens: 400 },
          completion_tokens_details: { reasoning_tokens: 50 },
        },
      }),
    });
    await client.chat.completions.create({ model: 'gpt-4o', messages });
    const [span] = await h.ended(1);
    expect(span!.attributes).toMatchObject({
      [ATTR_GEN_AI_USAGE_INPUT_TOKENS]: 1000,
      [ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS]: 400,
      [ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: 200,
      [ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS]: 50,
    });
    // 600 uncached x $2.50/M = 0.0015; 400 cached x $1.25/M = 0.0005; 200 out x $10/M = 0.002
    expect(span!.attributes[ATTR_COST_INPUT_USD]).toBeCloseTo(0.0015, 12);
    expect(span!.attributes[ATTR_COST_CACHE_READ_USD]).toBeCloseTo(0.0005, 12);
    expect(span!.attributes[ATTR_COST_OUTPUT_USD]).toBeCloseTo(0.002, 12);
    expect(span!.attributes[ATTR_COST_USD]).toBeCloseTo(0.004, 12);
  });

  it('records-service-tier', async () => {
    server.reply({ json: chatCompletion({ serviceTier: 'flex' }) });
    await client.chat.completions.create({ model: 'gpt-4o', messages, service_tier: 'flex' });
    const [span] = await h.ended(1);
    expect(span!.attributes[ATTR_OPENAI_REQUEST_SERVICE_TIER]).toBe('flex');
    expect(span!.attributes[ATTR_OPENAI_RESPONSE_SERVICE_TIER]).toBe('flex');
  });

  it('prices-reported-service-tier-with-multiplier-as-estimated', async () => {
    // Asked for priority; the response reports the tier actually served, and that one is priced.
    // gpt-4o 12 in x 2.5 / 1e6 + 5 out x 10 / 1e6 = 0.00008 standard.
    server.reply(
      { json: chatCompletion({ serviceTier: 'priority' }) },
      { json: chatCompletion({ serviceTier: 'default' }) },
      { json: chatCompletion({ serviceTier: 'flex' }) },
    );
    for (let i = 0; i < 3; i++) {
      await client.chat.completions.create({ model: 'gpt-4o', messages, service_tier: 'priority' });
    }
    const spans = await h.ended(3);
    // priority x 1.75 = 0.00014; estimated (a flat multiplier stands in for the tier's price list)
    expect(spans[0]!.attributes[ATTR_COST_USD]).toBe(0.00014);
    expect(spans[0]!.attributes[ATTR_COST_ESTIMATED]).toBe(true);
    // downgraded to default: the standard price, exact
    expect(spans[1]!.attributes[ATTR_COST_USD]).toBe(0.00008);
    expect(spans[1]!.attributes[ATTR_COST_ESTIMATED]).toBeUndefined();
    // flex x 0.5 = 0.00004, estimated
    expect(spans[2]!.attributes[ATTR_COST_USD]).toBe(0.00004);
    expect(spans[2]!.attributes[ATTR_COST_ESTIMATED]).toBe(true);
  });

  it('streams-with-injected-usage-hidden-from-caller', async () => {
    const params = { model: 'gpt-4o', messages, stream: true as const };
    const before = structuredClone(params);
    const stream = await client.chat.completions.create(params);
    const seen: ChunkLike[] = [];
    for await (const chunk of stream) seen.push(chunk as ChunkLike);

    // The server was asked for usage; the caller's object was not changed.
    expect(server.requests[0]!.body.stream_options).toEqual({ include_usage: true });
    expect(params).toEqual(before);
    // role chunk + 3 content chunks + finish chunk; the usage-only chunk is hidden.
    expect(seen).toHaveLength(5);
    expect(seen.every((c) => c.choices.length === 1 && c.usage === undefined)).toBe(true);
    expect(seen.map((c) => c.choices[0]?.delta.content ?? '').join('')).toBe('Hello from the fake.');

    const [span] = await h.ended(1);
    expect(span!.attributes).toMatchObject({
      [ATTR_GEN_AI_USAGE_INPUT_TOKENS]: 12,
      [ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: 5,
      [ATTR_GEN_AI_RESPONSE_FINISH_REASONS]: ['stop'],
      [ATTR_GEN_AI_RESPONSE_ID]: 'chatcmpl-fake-stream-1',
    });
    // 12 x 2.5e-6 + 5 x 10e-6
    expect(span!.attributes[ATTR_COST_USD]).toBeCloseTo(0.00008, 12);
  });

  it('keeps-caller-stream-options', async () => {
    const params = {
      model: 'gpt-4o',
      messages,
      stream: true as const,
      stream_options: { include_usage: true, include_obfuscation: false },
    };
    const stream = await client.chat.completions.create(params);
    const seen: ChunkLike[] = [];
    for await (const chunk of stream) seen.push(chunk as ChunkLike);

    expect(server.requests[0]!.body.stream_options).toEqual({ include_usage: true, include_obfuscation: false });
    expect(params.stream_options).toEqual({ include_usage: true, include_obfuscation: false });
    // The caller asked for usage, so the caller gets the usage chunk.
    expect(seen).toHaveLength(6);
    expect(seen[5]?.choices).toEqual([]);
    expect(seen[5]?.usage?.prompt_tokens).toBe(12);
    const [span] = await h.ended(1);
    expect(span!.attributes[ATTR_GEN_AI_USAGE_INPUT_TOKENS]).toBe(12);
  });

  it('resends-without-stream-options-when-server-rejects-it', async () => {
    server.defaults.rejectStreamOptions = true;
    // A base URL of its own (the fake answers under any prefix): what is remembered for it stays in this test.
    const strict = new OpenAI({ baseURL: server.url.replace(/\/v1$/, '/strict/v1'), apiKey: 'sk-test', maxRetries: 0 });
    const params = { model: 'gpt-4o', messages, stream: true as const };
    const before = structuredClone(params);
    const promise = strict.chat.completions.create(params);
    // withResponse() still works: the SDK's own APIPromise, parsed by the SDK.
    const { data: stream, response: raw } = await promise.withResponse();
    expect(Object.getPrototypeOf(stream)).toBe(require('openai/streaming').Stream.prototype);
    expect(raw.status).toBe(200);
    const seen: ChunkLike[] = [];
    for await (const chunk of stream) seen.push(chunk as ChunkLike);
    expect(seen.map((c) => c.choices[0]?.delta.content ?? '').join('')).toBe('Hello from the fake.');
    expect(params).toEqual(before);
    // Our request was refused; the caller's own request, resent untouched, was answered.
    expect(server.requests.map((r) => r.body.stream_options)).toEqual([{ include_usage: true }, undefined]);

    const [span] = await h.ended(1);
    expect(h.spans()).toHaveLength(1);
    expect(span!.status.code).toBe(SpanStatusCode.UNSET);
    expect(span!.attributes[ATTR_ERROR_TYPE]).toBeUndefined();
    // No usage came back: unpriced for want of usage, not for want of a price.
    expect(span!.attributes[ATTR_COST_STATUS]).toBe('unpriced');
    expect(span!.attributes[ATTR_COST_REASON]).toBe('usage_missing');

    // The base URL is remembered: the next stream is sent without the option, once.
    h.reset();
    server.requests.length = 0;
    const again = await strict.chat.completions.create({ ...params });
    for await (const _ of again) {
    }
    expect(server.requests.map((r) => r.body.stream_options)).toEqual([undefined]);
  });

  it('lets-a-400-unrelated-to-stream-options-through', async () => {
    server.reply({ error: { status: 400, message: "Invalid 'messages': empty array" } });
    const error = await client.chat.completions
      .create({ model: 'gpt-4o', messages: [], stream: true })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(openai.BadRequestError);
    expect(server.requests).toHaveLength(1);
    const [span] = await h.ended(1);
    expect(span!.attributes[ATTR_ERROR_TYPE]).toBe('BadRequestError');
  });

  it('does-not-break-withResponse', async () => {
    const {
      data,
      response: raw,
      request_id,
    } = await client.chat.completions.create({ model: 'gpt-4o', messages }).withResponse();
    expect(data.id).toBe('chatcmpl-fake-1');
    expect(raw.status).toBe(200);
    expect(request_id).toMatch(/^req_/);
    const [span] = await h.ended(1);
    expect(h.spans()).toHaveLength(1);
    expect(span!.attributes[ATTR_GEN_AI_USAGE_INPUT_TOKENS]).toBe(12);
  });

  it('does-not-break-asResponse', async () => {
    const raw = await client.chat.completions.create({ model: 'gpt-4o', messages }).asResponse();
    // The caller still owns the untouched body.
    const body = (await raw.json()) as { usage: { prompt_tokens: number } };
    expect(body.usage.prompt_tokens).toBe(12);
    const [span] = await h.ended(1);
    expect(h.spans()).toHaveLength(1);
    // The SDK never parsed the body, so no usage is claimed: the processor marks it unpriced.
    expect(span!.attributes[ATTR_GEN_AI_USAGE_INPUT_TOKENS]).toBeUndefined();
    expect(span!.attributes[ATTR_COST_USD]).toBeUndefined();
    expect(span!.attributes[ATTR_COST_STATUS]).toBe('unpriced');

    // asResponse() asked for only after the headers arrived: the span still ends then, not at a bound.
    h.reset();
    const late = client.chat.completions.create({ model: 'gpt-4o', messages });
    await (late as unknown as { responsePromise: Promise<unknown> }).responsePromise;
    expect(h.spans()).toHaveLength(0);
    await (await late.asResponse()).text();
    await h.ended(1);
    expect(h.spans()).toHaveLength(1);
  });

  it('keeps-stream-instance-and-tee', async () => {
    const { Stream } = require('openai/streaming');
    const promise = client.chat.completions.create({ model: 'gpt-4o', messages, stream: true });
    expect(promise.constructor.name).toBe('APIPromise');
    const stream = await promise;
    expect(Object.getPrototypeOf(stream)).toBe(Stream.prototype);
    const [left, right] = stream.tee();
    const leftChunks: unknown[] = [];
    const rightChunks: unknown[] = [];
    for await (const chunk of left) leftChunks.push(chunk);
    for await (const chunk of right) rightChunks.push(chunk);
    expect(leftChunks).toHaveLength(5);
    expect(rightChunks).toEqual(leftChunks);
    const [span] = await h.ended(1);
    expect(h.spans()).toHaveLength(1);
    expect(span!.attributes[ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]).toBe(5);
  });

  it('keeps-toReadableStream', async () => {
    const stream = await client.chat.completions.create({ model: 'gpt-4o', messages, stream: true });
    const reader = stream.toReadableStream().getReader();
    const decoder = new TextDecoder();
    let text = '';
    for (let i = 0; i < 100; i++) {
      const { done, value } = await reader.read();
      if (done) break;
      text += decoder.decode(value);
    }
    const lines = text.trim().split('\n');
    expect(lines).toHaveLength(5);
    expect(lines.map((l) => JSON.parse(l).choices[0].delta.content ?? '').join('')).toBe('Hello from the fake.');
    const [span] = await h.ended(1);
    expect(span!.attributes[ATTR_GEN_AI_USAGE_INPUT_TOKENS]).toBe(12);
  });

  it('one-span-for-chat-completions-stream-helper', async () => {
    const runner = client.chat.completions.stream({ model: 'gpt-4o', messages });
    const final = await runner.finalChatCompletion();
    expect(final.choices[0]?.message.content).toBe('Hello from the fake.');
    const [span] = await h.ended(1);
    expect(server.requests).toHaveLength(1);
    expect(h.spans()).toHaveLength(1);
    expect(span!.attributes[ATTR_GEN_AI_USAGE_INPUT_TOKENS]).toBe(12);
    // A helper that read to the end is no aborted call.
    expect(span!.status.code).toBe(SpanStatusCode.UNSET);
  });

  it('ends-span-on-stream-helper-abort', async () => {
    server.reply({ sse: chatCompletionChunks({ streamChunks: 2 }).slice(0, 2), holdOpen: true });
    const runner = client.chat.completions.stream({ model: 'gpt-4o', messages });
    await new Promise<void>((resolve) => runner.on('chunk', () => resolve()));
    runner.abort();
    const error = await runner.finalChatCompletion().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(openai.APIUserAbortError);
    const [span] = await h.ended(1);
    expect(h.spans()).toHaveLength(1);
    expect(span!.status.code).toBe(SpanStatusCode.ERROR);
    expect(span!.attributes[ATTR_ERROR_TYPE]).toBe('APIUserAbortError');
  });

  it('one-span-for-parse', async () => {
    server.reply({ json: chatCompletion({ content: '{"greeting":"hi"}' }) });
    const parsed = await client.chat.completions.parse({
      model: 'gpt-4o',
      messages,
      response_format: {
        type: 'json_schema',
        json_schema: { name: 'greeting', schema: { type: 'object', properties: { greeting: { type: 'string' } } } },
      },
    } as unknown as LooseParams);
    expect(parsed.choices[0]?.message.content).toBe('{"greeting":"hi"}');
    const [span] = await h.ended(1);
    expect(h.spans()).toHaveLength(1);
    expect(span!.attributes[ATTR_GEN_AI_RESPONSE_ID]).toBe('chatcmpl-fake-1');
    expect(span!.attributes[ATTR_GEN_AI_OUTPUT_TYPE]).toBe('json');
  });

  it('one-span-per-runTools-round', async () => {
    server.reply(
      { json: chatCompletion({ id: 'round-1', toolCalls: [{ id: 'call_1', name: 'getTime', arguments: '{}' }] }) },
      { json: chatCompletion({ id: 'round-2', content: 'It is noon.' }) },
    );
    const runner = client.chat.completions.runTools({
      model: 'gpt-4o',
      messages,
      tools: [
        {
          type: 'function',
          function: { name: 'getTime', parameters: { type: 'object', properties: {} }, function: () => 'noon' },
        },
      ],
    } as unknown as LooseParams);
    expect(await runner.finalContent()).toBe('It is noon.');
    const spans = await h.ended(2);
    expect(server.requests).toHaveLength(2);
    expect(spans).toHaveLength(2);
    expect(spans.map((s) => s.attributes[ATTR_GEN_AI_RESPONSE_ID])).toEqual(['round-1', 'round-2']);
    expect(spans[0]!.attributes[ATTR_GEN_AI_RESPONSE_FINISH_REASONS]).toEqual(['tool_calls']);
  });
});

describe('metrics', () => {
  it('records-client-metrics', async () => {
    const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
    const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
    const meterProvider = new MeterProvider({ readers: [reader] });
    h.instrumentation.setMeterProvider(meterProvider);
    try {
      await client.chat.completions.create({ model: 'gpt-4o', messages });
      server.reply({ error: { status: 500, message: 'boom', type: 'server_error' } });
      await client.chat.completions.create({ model: 'gpt-4o', messages }).catch(() => undefined);
      await reader.forceFlush();
      const metrics = exporter.getMetrics().flatMap((r) => r.scopeMetrics.flatMap((s) => s.metrics));
      const tokens = metrics.find((m) => m.descriptor.name === 'gen_ai.client.token.usage') as HistogramMetricData;
      const duration = metrics.find(
        (m) => m.descriptor.name === 'gen_ai.client.operation.duration',
      ) as HistogramMetricData;
      expect(tokens.descriptor.unit).toBe('{token}');
      expect(tokens.dataPoints.map((p) => [p.attributes['gen_ai.token.type'], p.value.sum]).sort()).toEqual([
        ['input', 12],
        ['output', 5],
      ]);
      expect(tokens.dataPoints[0]!.attributes).toMatchObject({
        [ATTR_GEN_AI_OPERATION_NAME]: 'chat',
        [ATTR_GEN_AI_PROVIDER_NAME]: 'openai',
        [ATTR_GEN_AI_REQUEST_MODEL]: 'gpt-4o',
        [ATTR_GEN_AI_RESPONSE_MODEL]: 'gpt-4o',
      });
      expect(duration.descriptor.unit).toBe('s');
      expect(duration.dataPoints).toHaveLength(2);
      expect(duration.dataPoints.map((p) => p.value.count)).toEqual([1, 1]);
      expect(duration.dataPoints.map((p) => p.attributes['error.type'])).toEqual([undefined, 'InternalServerError']);
    } finally {
      await meterProvider.shutdown();
    }
  });
});

describe('responses and embeddings', () => {
  it('records-a-failed-responses-stream', async () => {
    const failed = response({ id: 'resp_failed', responsesUsage: { input_tokens: 100, output_tokens: 0 } });
    const failedResponse = { ...failed, status: 'failed', error: { code: 'server_error', message: 'boom' } };
    server.reply({
      sse: [
        {
          event: 'response.created',
          data: {
            type: 'response.created',
            response: { ...failedResponse, status: 'in_progress' },
            sequence_number: 0,
          },
        },
        { event: 'response.failed', data: { type: 'response.failed', response: failedResponse, sequence_number: 1 } },
      ],
      done: false,
    });
    const stream = await client.responses.create({ model: 'gpt-4o', input: 'Say hello.', stream: true });
    const types: string[] = [];
    for await (const event of stream) types.push(event.type);
    // The SDK hands the failure to the caller as an event, not an exception.
    expect(types).toEqual(['response.created', 'response.failed']);
    const [span] = await h.ended(1);
    expect(span!.status.code).toBe(SpanStatusCode.ERROR);
    expect(span!.attributes[ATTR_ERROR_TYPE]).toBe('server_error');
    expect(span!.attributes[ATTR_GEN_AI_RESPONSE_ID]).toBe('resp_failed');
    // The input was still read: 100 x 2.5e-6 = 0.00025
    expect(span!.attributes[ATTR_COST_USD]).toBeCloseTo(0.00025, 12);
  });

  it('responses-create-and-stream', async () => {
    server.reply(
      {
        json: response({
          id: 'resp_1',
          responsesUsage: {
            input_tokens: 1000,
            input_tokens_details: { cached_tokens: 400 },
            output_tokens: 200,
            output_tokens_details: { reasoning_tokens: 50 },
          },
        }),
      },
      { sse: responseEvents({ id: 'resp_2' }), done: false },
    );
    const created = await client.responses.create({ model: 'gpt-4o', input: 'Say hello.' });
    expect(created.output_text).toBe('Hello from the fake.');
    const stream = await client.responses.create({ model: 'gpt-4o', input: 'Say hello.', stream: true });
    const types: string[] = [];
    for await (const event of stream) types.push(event.type);
    expect(types[0]).toBe('response.created');
    expect(types.at(-1)).toBe('response.completed');
    // Nothing injected: the Responses API always reports usage.
    expect(server.requests[1]!.body.stream_options).toBeUndefined();

    const [first, second] = await h.ended(2);
    expect(first!.name).toBe('chat gpt-4o');
    expect(first!.attributes).toMatchObject({
      [ATTR_GEN_AI_OPERATION_NAME]: 'chat',
      [ATTR_GEN_AI_RESPONSE_ID]: 'resp_1',
      [ATTR_GEN_AI_RESPONSE_FINISH_REASONS]: ['stop'],
      [ATTR_GEN_AI_USAGE_INPUT_TOKENS]: 1000,
      [ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS]: 400,
      [ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: 200,
      [ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS]: 50,
    });
    // 600 x 2.5e-6 + 400 x 1.25e-6 + 200 x 10e-6 = 0.0015 + 0.0005 + 0.002
    expect(first!.attributes[ATTR_COST_USD]).toBeCloseTo(0.004, 12);
    expect(second!.attributes).toMatchObject({
      [ATTR_GEN_AI_RESPONSE_ID]: 'resp_2',
      [ATTR_GEN_AI_USAGE_INPUT_TOKENS]: 12,
      [ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: 5,
    });
    expect(second!.attributes[ATTR_COST_USD]).toBeCloseTo(0.00008, 12);
  });

  it('embeddings-create', async () => {
    const result = await client.embeddings.create({ model: 'text-embedding-3-small', input: ['a', 'b'] });
    expect(result.data).toHaveLength(2);
    expect(Array.from(result.data[0]!.embedding)).toEqual([0.25, -0.5, 0.75]);
    const [span] = await h.ended(1);
    expect(span!.name).toBe('embeddings text-embedding-3-small');
    expect(span!.attributes).toMatchObject({
      [ATTR_GEN_AI_OPERATION_NAME]: 'embeddings',
      [ATTR_GEN_AI_RESPONSE_MODEL]: 'text-embedding-3-small',
      [ATTR_GEN_AI_USAGE_INPUT_TOKENS]: 8,
    });
    expect(span!.attributes[ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]).toBeUndefined();
  });
});

describe('provider and content', () => {
  it('provider-from-base-url', async () => {
    // Point each client at the fake through a fetch that keeps the original host in the URL it was given.
    const hosts: Array<[string, string]> = [
      ['https://api.openai.com/v1', 'openai'],
      ['https://my-resource.openai.azure.com/openai/deployments/gpt-4o', 'azure.ai.openai'],
      ['https://api.groq.com/openai/v1', 'groq'],
      ['https://openrouter.ai/api/v1', 'openrouter'],
      ['https://api.deepseek.com/v1', 'deepseek'],
      ['https://api.together.xyz/v1', 'together'],
      ['https://api.fireworks.ai/inference/v1', 'fireworks'],
      ['https://api.mistral.ai/v1', 'mistral_ai'],
      ['https://api.x.ai/v1', 'x_ai'],
      ['https://api.perplexity.ai', 'perplexity'],
      ['http://localhost:11434/v1', 'openai'],
      ['https://llm-gateway.internal.example/v1', 'openai'],
    ];
    const toFake: typeof fetch = (input, init) => {
      const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
      return fetch(`${server.url}/chat/completions${url.search}`, init);
    };
    for (const [baseURL] of hosts) {
      const remote = new OpenAI({ baseURL, apiKey: 'sk-test', maxRetries: 0, fetch: toFake });
      await remote.chat.completions.create({ model: 'gpt-4o', messages });
    }
    const azure = new AzureOpenAI({
      baseURL: server.url,
      apiKey: 'sk-test',
      apiVersion: '2024-10-21',
      maxRetries: 0,
    });
    await azure.chat.completions.create({ model: 'gpt-4o', messages });

    const spans = await h.ended(hosts.length + 1);
    expect(spans.map((s) => s.attributes[ATTR_GEN_AI_PROVIDER_NAME])).toEqual([
      ...hosts.map(([, provider]) => provider),
      'azure.ai.openai',
    ]);
    expect(spans[1]!.attributes[ATTR_SERVER_ADDRESS]).toBe('my-resource.openai.azure.com');
    expect(spans[1]!.attributes[ATTR_SERVER_PORT]).toBe(443);
    expect(spans[10]!.attributes[ATTR_SERVER_PORT]).toBe(11434);
  });

  it('no-content-by-default', async () => {
    delete process.env.OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT;
    await client.chat.completions.create({ model: 'gpt-4o', messages });
    await client.responses.create({ model: 'gpt-4o', input: 'Say hello.', instructions: 'Be brief.' });
    const spans = await h.ended(2);
    for (const span of spans) {
      const serialised = JSON.stringify(span.attributes);
      expect(serialised).not.toContain('Say hello.');
      expect(serialised).not.toContain('Hello from the fake.');
      expect(serialised).not.toContain('sk-test-secret');
      expect(span.attributes[ATTR_GEN_AI_INPUT_MESSAGES]).toBeUndefined();
      expect(span.attributes[ATTR_GEN_AI_OUTPUT_MESSAGES]).toBeUndefined();
    }
  });

  it('reads-the-content-switch-once-per-configuration', async () => {
    delete process.env.OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT;
    try {
      await client.chat.completions.create({ model: 'gpt-4o', messages });
      // Turned on after this configuration's first call: it takes effect at the next setConfig().
      process.env.OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT = 'true';
      await client.chat.completions.create({ model: 'gpt-4o', messages });
      h.instrumentation.setConfig({});
      await client.chat.completions.create({ model: 'gpt-4o', messages });
    } finally {
      delete process.env.OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT;
    }
    const spans = await h.ended(3);
    expect(spans.map((span) => span.attributes[ATTR_GEN_AI_INPUT_MESSAGES] !== undefined)).toEqual([
      false,
      false,
      true,
    ]);
    expect(JSON.parse(String(spans[2]?.attributes[ATTR_GEN_AI_INPUT_MESSAGES]))).toEqual([
      { role: 'user', parts: [{ type: 'text', content: 'Say hello.' }] },
    ]);
  });

  it('captures-content-on-opt-in', async () => {
    h.instrumentation.setConfig({ captureContent: true });
    await client.chat.completions.create({
      model: 'gpt-4o',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Say hello.' },
      ],
    });
    server.reply({ sse: chatCompletionChunks({ content: 'Hi there!', includeUsage: true }) });
    const stream = await client.chat.completions.create({ model: 'gpt-4o', messages, stream: true });
    for await (const _ of stream);
    await client.responses.create({ model: 'gpt-4o', input: 'Say hello.', instructions: 'Be brief.' });

    const [chat, streamed, resp] = await h.ended(3);
    expect(JSON.parse(chat!.attributes[ATTR_GEN_AI_INPUT_MESSAGES] as string)).toEqual([
      { role: 'system', parts: [{ type: 'text', content: 'Be brief.' }] },
      { role: 'user', parts: [{ type: 'text', content: 'Say hello.' }] },
    ]);
    expect(JSON.parse(chat!.attributes[ATTR_GEN_AI_OUTPUT_MESSAGES] as string)).toEqual([
      { role: 'assistant', parts: [{ type: 'text', content: 'Hello from the fake.' }], finish_reason: 'stop' },
    ]);
    expect(JSON.parse(streamed!.attributes[ATTR_GEN_AI_OUTPUT_MESSAGES] as string)).toEqual([
      { role: 'assistant', parts: [{ type: 'text', content: 'Hi there!' }], finish_reason: 'stop' },
    ]);
    expect(JSON.parse(resp!.attributes[ATTR_GEN_AI_SYSTEM_INSTRUCTIONS] as string)).toEqual([
      { type: 'text', content: 'Be brief.' },
    ]);
    expect(JSON.parse(resp!.attributes[ATTR_GEN_AI_OUTPUT_MESSAGES] as string)).toEqual([
      { role: 'assistant', parts: [{ type: 'text', content: 'Hello from the fake.' }], finish_reason: 'stop' },
    ]);
    for (const span of [chat, streamed, resp]) expect(JSON.stringify(span!.attributes)).not.toContain('sk-test-secret');
  });
});
