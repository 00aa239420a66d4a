import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  type ConverseUsage,
  converseResponse,
  converseStreamEvents,
  type FakeBedrockServer,
  invokeStreamEvents,
  startBedrockServer,
} from '../../../test/fakes/bedrock-server';
import { fakeClientOptions, requireSdk, setupTracing, spansEnded } from './helpers';

const tracing = setupTracing();
const sdk = requireSdk();
const {
  BedrockRuntime,
  BedrockRuntimeClient,
  ConverseCommand,
  ConverseStreamCommand,
  CountTokensCommand,
  InvokeModelCommand,
  InvokeModelWithResponseStreamCommand,
  ThrottlingException,
} = sdk;

// @pydantic/genai-prices 0.1.8, USD per million tokens:
//   regional.anthropic.claude-3-7-sonnet / claude-sonnet-4 and global.anthropic.claude-sonnet-4:
//     input 3, cache write 3.75, cache read 0.3, output 15 (1-hour writes: 2 x input = 6)
//   amazon.nova-pro-v1:0: input 0.8, cache read 0.2, output 3.2
//   meta.llama3-3-70b-instruct-v1:0: input 0.72, output 0.72
const CLAUDE = 'us.anthropic.claude-3-7-sonnet-20250219-v1:0';
const NOVA = 'us.amazon.nova-pro-v1:0';
const LLAMA = 'us.meta.llama3-3-70b-instruct-v1:0';
const MESSAGES = [{ role: 'user', content: [{ text: 'Say hi' }] }];

// Converse usage: `inputTokens` leaves out the 2000 cache reads and the 3000 cache writes.
const CACHED_USAGE = { inputTokens: 1000, cacheReadInputTokens: 2000, cacheWriteInputTokens: 3000, outputTokens: 500 };
// By hand on claude-3-7-sonnet:
//   input        1000 x 3    / 1e6 = 0.003
//   cache read   2000 x 0.3  / 1e6 = 0.0006
//   cache write  3000 x 3.75 / 1e6 = 0.01125
//   output        500 x 15   / 1e6 = 0.0075
//   total                          = 0.02235
const CACHED_COST = 0.02235;

let fake: FakeBedrockServer;
let client: any;

const clientOptions = () => fakeClientOptions(fake.url);

beforeAll(async () => {
  fake = await startBedrockServer();
  client = new BedrockRuntimeClient(clientOptions());
});
afterEach(() => {
  fake.reset();
  tracing.exporter.reset();
  tracing.instrumentation.setConfig({});
});
afterAll(async () => {
  client.destroy();
  await fake.close();
  await tracing.provider.shutdown();
});

async function onlySpan() {
  const spans = await spansEnded(tracing, 1);
  expect(spans).toHaveLength(1);
  return spans[0]!;
}

const bodyOf = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));

describe('converse', () => {
  it('prices-cache-write-and-read-by-hand', async () => {
    fake.reply({ json: converseResponse({ text: 'Hi!', usage: CACHED_USAGE }) });
    const output = await client.send(
      new ConverseCommand({
        modelId: CLAUDE,
        messages: MESSAGES,
        inferenceConfig: { maxTokens: 256, temperature: 0.5 },
      }),
    );
    expect(output.output.message.content[0].text).toBe('Hi!');
    expect(fake.requests[0]!.modelId).toBe(CLAUDE);

    const span = await onlySpan();
    expect(span.name).toBe(`chat ${CLAUDE}`);
    expect(span.kind).toBe(SpanKind.CLIENT);
    expect(span.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'aws.bedrock',
      'gen_ai.request.model': CLAUDE,
      'gen_ai.request.max_tokens': 256,
      'gen_ai.request.temperature': 0.5,
      'gen_ai.response.finish_reasons': ['end_turn'],
      'aws.request_id': 'req-fake-0001',
      'server.address': '127.0.0.1',
      'server.port': fake.port,
      // 1000 + 2000 read + 3000 written
      'gen_ai.usage.input_tokens': 6000,
      'gen_ai.usage.cache_read.input_tokens': 2000,
      'gen_ai.usage.cache_creation.input_tokens': 3000,
      'gen_ai.usage.output_tokens': 500,
    });
    expect(span.attributes.cost_usd).toBeCloseTo(CACHED_COST, 12);
    expect(span.attributes['agentburn.cost.cache_write_usd']).toBeCloseTo(0.01125, 12);
    expect(span.attributes['agentburn.cost.cache_read_usd']).toBeCloseTo(0.0006, 12);
    expect(span.attributes['agentburn.pricing.model']).toBe('regional.anthropic.claude-3-7-sonnet-20250219-v1:0');
  });

  it('prices-1h-cache-writes-from-cache-details', async () => {
    const usage: ConverseUsage = {
      ...CACHED_USAGE,
      cacheDetails: [
        { ttl: '1h', inputTokens: 2000 },
        { ttl: '5m', inputTokens: 1000 },
      ],
    };
    fake.reply({ json: converseResponse({ text: 'Hi!', usage }) });
    await client.send(new ConverseCommand({ modelId: CLAUDE, messages: MESSAGES }));
    const span = await onlySpan();
    expect(span.attributes['agentburn.usage.cache_creation_1h.input_tokens']).toBe(2000);
    // 0.003 + 0.0006 + 1000 x 3.75 / 1e6 (0.00375) + 2000 x 6 / 1e6 (0.012) + 0.0075 = 0.02685
    expect(span.attributes.cost_usd).toBeCloseTo(0.02685, 12);
  });

  it('prices-an-inference-profile-arn', async () => {
    const arn = 'arn:aws:bedrock:eu-west-1:123456789012:inference-profile/eu.anthropic.claude-sonnet-4-20250514-v1:0';
    fake.reply({ json: converseResponse({ text: 'Hi!', usage: CACHED_USAGE }) });
    await client.send(new ConverseCommand({ modelId: arn, messages: MESSAGES }));
    const span = await onlySpan();
    expect(fake.requests[0]!.modelId).toBe(arn);
    expect(span.attributes['gen_ai.request.model']).toBe(arn);
    expect(span.attributes.cost_usd).toBeCloseTo(CACHED_COST, 12);
  });

  it('traces-the-aggregated-client-methods', async () => {
    const aggregated = new BedrockRuntime(clientOptions());
    const output = await aggregated.converse({ modelId: NOVA, messages: MESSAGES });
    expect(output.output.message.content[0].text).toBe('Hello from the fake.');
    const span = await onlySpan();
    expect(span.name).toBe(`chat ${NOVA}`);
    // Default usage 12 in / 5 out on nova-pro: 12 x 0.8 + 5 x 3.2 = 25.6 per 1e6
    expect(span.attributes.cost_usd).toBeCloseTo(0.0000256, 14);
    aggregated.destroy();
  });

  it('traces-the-callback-form', async () => {
    const output = await new Promise((resolve, reject) =>
      client.send(new ConverseCommand({ modelId: NOVA, messages: MESSAGES }), (error: unknown, data: unknown) =>
        error ? reject(error) : resolve(data),
      ),
    );
    expect((output as any).usage.inputTokens).toBe(12);
    expect((await onlySpan()).attributes['gen_ai.usage.input_tokens']).toBe(12);
  });

  it('leaves-other-commands-untraced', async () => {
    const error = await client
      .send(new CountTokensCommand({ modelId: CLAUDE, input: { converse: { messages: MESSAGES } } }))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(fake.requests).toHaveLength(1);
    expect(tracing.spans()).toHaveLength(0);
  });
});

describe('converse stream', () => {
  const usage = { inputTokens: 500, cacheReadInputTokens: 500, outputTokens: 100 };

  it('takes-usage-from-the-metadata-event', async () => {
    fake.reply({ events: converseStreamEvents({ text: 'abcdef', usage }, 3) });
    const output = await client.send(new ConverseStreamCommand({ modelId: NOVA, messages: MESSAGES }));
    let text = '';
    for await (const event of output.stream) text += event.contentBlockDelta?.delta?.text ?? '';
    expect(text).toBe('abcdef');
    const span = await onlySpan();
    expect(span.attributes).toMatchObject({
      'gen_ai.request.stream': true,
      'gen_ai.usage.input_tokens': 1000,
      'gen_ai.usage.cache_read.input_tokens': 500,
      'gen_ai.usage.output_tokens': 100,
      'gen_ai.response.finish_reasons': ['end_turn'],
    });
    // 500 x 0.8 + 500 x 0.2 + 100 x 3.2 = 400 + 100 + 320 = 820 per 1e6
    expect(span.attributes.cost_usd).toBeCloseTo(0.00082, 12);
  });

  it('ends-span-on-early-break', async () => {
    fake.reply({ events: converseStreamEvents({ text: 'abcdef', usage }, 3), holdAfter: 3 });
    const output = await client.send(new ConverseStreamCommand({ modelId: NOVA, messages: MESSAGES }));
    for await (const event of output.stream) {
      if (event.contentBlockDelta) break;
    }
    const span = await onlySpan();
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
    // The usage comes last: none was read, so the call is unpriced, never priced at 0.
    expect(span.attributes['gen_ai.usage.input_tokens']).toBeUndefined();
    expect(span.attributes['agentburn.cost.status']).toBe('unpriced');
  });

  it('exception-frame-ends-span-as-error', async () => {
    fake.reply({
      events: [
        { event: 'messageStart', data: { role: 'assistant' } },
        { exception: 'throttlingException', message: 'Too many tokens, please wait.' },
      ],
    });
    const output = await client.send(new ConverseStreamCommand({ modelId: NOVA, messages: MESSAGES }));
    const error = await (async () => {
      for await (const _ of output.stream) {
        // read on
      }
    })().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ThrottlingException);
    const span = await onlySpan();
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(span.attributes['error.type']).toBe('ThrottlingException');
  });

  it('keeps-the-sdk-output-and-stream-objects', async () => {
    fake.reply({ events: converseStreamEvents({ text: 'ab', usage }, 1) });
    const output = await client.send(new ConverseStreamCommand({ modelId: NOVA, messages: MESSAGES }));
    expect(Object.keys(output).sort()).toEqual(['$metadata', 'stream']);
    const events: string[] = [];
    for await (const event of output.stream) events.push(Object.keys(event)[0]!);
    expect(events).toEqual([
      'messageStart',
      'contentBlockStart',
      'contentBlockDelta',
      'contentBlockStop',
      'messageStop',
      'metadata',
    ]);
    await onlySpan();
  });
});

describe('invoke model', () => {
  it('reads-the-anthropic-body', async () => {
    fake.reply({
      json: {
        id: 'msg_bdrk_01',
        type: 'message',
        role: 'assistant',
        model: 'claude-3-7-sonnet-20250219',
        content: [{ type: 'text', text: 'Hi!' }],
        stop_reason: 'end_turn',
        usage: {
          input_tokens: 1000,
          cache_read_input_tokens: 2000,
          cache_creation_input_tokens: 3000,
          output_tokens: 500,
        },
      },
    });
    const body = JSON.stringify({ anthropic_version: 'bedrock-2023-05-31', max_tokens: 64, messages: MESSAGES });
    const output = await client.send(
      new InvokeModelCommand({ modelId: CLAUDE, body, contentType: 'application/json' }),
    );
    expect(JSON.parse(output.body.transformToString()).id).toBe('msg_bdrk_01');
    const span = await onlySpan();
    expect(span.attributes).toMatchObject({
      'gen_ai.response.id': 'msg_bdrk_01',
      'gen_ai.response.finish_reasons': ['end_turn'],
      'gen_ai.usage.input_tokens': 6000,
      'gen_ai.usage.cache_read.input_tokens': 2000,
      'gen_ai.usage.cache_creation.input_tokens': 3000,
      'gen_ai.usage.output_tokens': 500,
    });
    expect(span.attributes.cost_usd).toBeCloseTo(CACHED_COST, 12);
  });

  it('reads-the-nova-body', async () => {
    fake.reply({
      json: {
        output: { message: { role: 'assistant', content: [{ text: 'Hi!' }] } },
        stopReason: 'end_turn',
        usage: {
          inputTokens: 500,
          outputTokens: 100,
          totalTokens: 1100,
          cacheReadInputTokenCount: 500,
          cacheWriteInputTokenCount: 0,
        },
      },
    });
    await client.send(new InvokeModelCommand({ modelId: NOVA, body: bodyOf({ messages: MESSAGES }) }));
    const span = await onlySpan();
    expect(span.attributes['gen_ai.usage.input_tokens']).toBe(1000);
    // 500 x 0.8 + 500 x 0.2 + 100 x 3.2 = 820 per 1e6
    expect(span.attributes.cost_usd).toBeCloseTo(0.00082, 12);
  });

  it('reads-the-meta-body', async () => {
    fake.reply({
      json: { generation: 'Hi!', prompt_token_count: 1000, generation_token_count: 1000, stop_reason: 'stop' },
    });
    await client.send(new InvokeModelCommand({ modelId: LLAMA, body: bodyOf({ prompt: 'Say hi', max_gen_len: 64 }) }));
    const span = await onlySpan();
    expect(span.attributes['gen_ai.response.finish_reasons']).toEqual(['stop']);
    // 2000 x 0.72 / 1e6
    expect(span.attributes.cost_usd).toBeCloseTo(0.00144, 12);
  });

  it('names-embedding-models-embeddings', async () => {
    fake.reply({ json: { embedding: [0.1, 0.2], inputTextTokenCount: 7 } });
    await client.send(
      new InvokeModelCommand({ modelId: 'amazon.titan-embed-text-v2:0', body: bodyOf({ inputText: 'hi' }) }),
    );
    const span = await onlySpan();
    expect(span.name).toBe('embeddings amazon.titan-embed-text-v2:0');
    expect(span.attributes['gen_ai.usage.input_tokens']).toBe(7);
  });
});

describe('invoke model with response stream', () => {
  const anthropicChunks = [
    {
      type: 'message_start',
      message: {
        id: 'msg_bdrk_02',
        type: 'message',
        role: 'assistant',
        model: 'claude-sonnet-4-20250514',
        content: [],
        usage: {
          input_tokens: 1000,
          cache_read_input_tokens: 2000,
          cache_creation_input_tokens: 3000,
          output_tokens: 1,
        },
      },
    },
    { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
    { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Hi!' } },
    { type: 'content_block_stop', index: 0 },
    { type: 'message_delta', delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 500 } },
    {
      type: 'message_stop',
      'amazon-bedrock-invocationMetrics': {
        inputTokenCount: 1000,
        outputTokenCount: 500,
        invocationLatency: 900,
        firstByteLatency: 300,
        cacheReadInputTokenCount: 2000,
        cacheWriteInputTokenCount: 3000,
      },
    },
  ];

  it('prices-an-anthropic-stream-on-a-global-profile', async () => {
    fake.reply({ events: invokeStreamEvents(anthropicChunks) });
    const modelId = 'global.anthropic.claude-sonnet-4-20250514-v1:0';
    const output = await client.send(new InvokeModelWithResponseStreamCommand({ modelId, body: '{}' }));
    const types: string[] = [];
    for await (const event of output.body) types.push(JSON.parse(new TextDecoder().decode(event.chunk.bytes)).type);
    expect(types).toHaveLength(6);
    const span = await onlySpan();
    expect(span.attributes).toMatchObject({
      'gen_ai.request.stream': true,
      'gen_ai.response.id': 'msg_bdrk_02',
      'gen_ai.response.finish_reasons': ['end_turn'],
      'gen_ai.usage.input_tokens': 6000,
      'gen_ai.usage.cache_creation.input_tokens': 3000,
      'gen_ai.usage.output_tokens': 500,
    });
    expect(span.attributes['agentburn.pricing.model']).toBe(modelId);
    expect(span.attributes.cost_usd).toBeCloseTo(CACHED_COST, 12);
  });

  it('prices-a-meta-stream-from-invocation-metrics', async () => {
    fake.reply({
      events: invokeStreamEvents([
        { generation: 'Hi', prompt_token_count: 1000, generation_token_count: 1, stop_reason: null },
        {
          generation: '!',
          prompt_token_count: null,
          generation_token_count: 1000,
          stop_reason: 'stop',
          'amazon-bedrock-invocationMetrics': { inputTokenCount: 1000, outputTokenCount: 1000 },
        },
      ]),
    });
    const output = await client.send(new InvokeModelWithResponseStreamCommand({ modelId: LLAMA, body: '{}' }));
    for await (const _ of output.body) {
      // read on
    }
    const span = await onlySpan();
    expect(span.attributes.cost_usd).toBeCloseTo(0.00144, 12);
  });

  it('ends-span-on-early-break-without-running-output-count', async () => {
    fake.reply({ events: invokeStreamEvents(anthropicChunks), holdAfter: 3 });
    const output = await client.send(new InvokeModelWithResponseStreamCommand({ modelId: CLAUDE, body: '{}' }));
    for await (const _ of output.body) break;
    const span = await onlySpan();
    expect(span.attributes['gen_ai.usage.input_tokens']).toBe(6000);
    expect(span.attributes['gen_ai.usage.output_tokens']).toBeUndefined();
    // Input side only: 0.003 + 0.0006 + 0.01125 = 0.01485
    expect(span.attributes.cost_usd).toBeCloseTo(0.01485, 12);
  });
});

describe('errors', () => {
  it('records-a-throttling-error-and-rethrows-it', async () => {
    fake.reply({ error: { status: 429, type: 'ThrottlingException', message: 'Too many requests' } });
    const error = await client
      .send(new ConverseCommand({ modelId: CLAUDE, messages: MESSAGES }))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ThrottlingException);
    expect(error.$metadata.httpStatusCode).toBe(429);
    const span = await onlySpan();
    expect(span.status).toMatchObject({ code: SpanStatusCode.ERROR, message: 'Too many requests' });
    expect(span.attributes['error.type']).toBe('ThrottlingException');
    expect(span.attributes.cost_usd).toBeUndefined();
  });

  it('abort-ends-span-as-error', async () => {
    fake.reply({ hang: true });
    const controller = new AbortController();
    const pending = client.send(new ConverseCommand({ modelId: CLAUDE, messages: MESSAGES }), {
      abortSignal: controller.signal,
    });
    for (let i = 0; i < 10_000 && fake.requests.length < 1; i++) await new Promise((r) => setImmediate(r));
    controller.abort();
    const error = await pending.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    const span = await onlySpan();
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(span.attributes['error.type']).toBe((error as Error).name);
  });
});

describe('content', () => {
  it('records-no-content-by-default', async () => {
    await client.send(
      new ConverseCommand({ modelId: NOVA, messages: MESSAGES, system: [{ text: 'secret system prompt' }] }),
    );
    const span = await onlySpan();
    const text = JSON.stringify(span.attributes);
    expect(text).not.toContain('Say hi');
    expect(text).not.toContain('secret');
    expect(text).not.toContain('AKIDEXAMPLE');
    expect(text).not.toContain('test-secret-key');
  });

  it('captures-converse-content-when-opted-in', async () => {
    tracing.instrumentation.setConfig({ captureContent: true });
    await client.send(new ConverseCommand({ modelId: NOVA, messages: MESSAGES, system: [{ text: 'Be brief.' }] }));
    const span = await onlySpan();
    expect(JSON.parse(String(span.attributes['gen_ai.input.messages']))).toEqual([
      { role: 'user', parts: [{ type: 'text', content: 'Say hi' }] },
    ]);
    expect(JSON.parse(String(span.attributes['gen_ai.system_instructions']))).toEqual([
      { type: 'text', content: 'Be brief.' },
    ]);
    expect(JSON.parse(String(span.attributes['gen_ai.output.messages']))).toEqual([
      { role: 'assistant', parts: [{ type: 'text', content: 'Hello from the fake.' }], finish_reason: 'end_turn' },
    ]);
  });

  it('records-no-invoke-model-content-by-default', async () => {
    fake.reply({ json: { id: 'msg_1', content: [{ type: 'text', text: 'secret reply' }], usage: {} } });
    const body = bodyOf({
      anthropic_version: 'bedrock-2023-05-31',
      system: 'secret system prompt',
      messages: MESSAGES,
    });
    await client.send(new InvokeModelCommand({ modelId: CLAUDE, body }));
    const text = JSON.stringify((await onlySpan()).attributes);
    expect(text).not.toContain('Say hi');
    expect(text).not.toContain('secret');
  });

  it('captures-invoke-model-content-when-opted-in: anthropic body', async () => {
    process.env.OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT = 'true';
    fake.reply({
      json: {
        id: 'msg_1',
        content: [
          { type: 'text', text: 'Looking.' },
          { type: 'tool_use', id: 'tool_1', name: 'search', input: { q: 'bedrock' } },
        ],
        stop_reason: 'tool_use',
        usage: { input_tokens: 10, output_tokens: 20 },
      },
    });
    const body = bodyOf({
      anthropic_version: 'bedrock-2023-05-31',
      max_tokens: 64,
      system: 'Be brief.',
      messages: [{ role: 'user', content: 'Say hi' }],
    });
    try {
      await client.send(new InvokeModelCommand({ modelId: CLAUDE, body }));
    } finally {
      delete process.env.OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT;
    }
    const span = await onlySpan();
    expect(JSON.parse(String(span.attributes['gen_ai.input.messages']))).toEqual([
      { role: 'user', parts: [{ type: 'text', content: 'Say hi' }] },
    ]);
    expect(JSON.parse(String(span.attributes['gen_ai.system_instructions']))).toEqual([
      { type: 'text', content: 'Be brief.' },
    ]);
    expect(JSON.parse(String(span.attributes['gen_ai.output.messages']))).toEqual([
      {
        role: 'assistant',
        parts: [
          { type: 'text', content: 'Looking.' },
          { type: 'tool_call', id: 'tool_1', name: 'search', arguments: { q: 'bedrock' } },
        ],
        finish_reason: 'tool_use',
      },
    ]);
  });

  it('captures-invoke-model-content-when-opted-in: nova, meta and titan bodies', async () => {
    tracing.instrumentation.setConfig({ captureContent: true });
    fake.reply(
      {
        json: {
          output: { message: { content: [{ text: 'Nova says hi' }] } },
          stopReason: 'end_turn',
          usage: { inputTokens: 3, outputTokens: 4 },
        },
      },
      { json: { generation: 'Llama says hi', prompt_token_count: 3, generation_token_count: 4, stop_reason: 'stop' } },
      { json: { inputTextTokenCount: 3, results: [{ outputText: 'Titan says hi', completionReason: 'FINISH' }] } },
    );
    await client.send(
      new InvokeModelCommand({ modelId: NOVA, body: bodyOf({ messages: MESSAGES, system: [{ text: 'Be brief.' }] }) }),
    );
    await client.send(new InvokeModelCommand({ modelId: LLAMA, body: bodyOf({ prompt: 'Say hi, Llama' }) }));
    await client.send(
      new InvokeModelCommand({ modelId: 'amazon.titan-text-express-v1', body: bodyOf({ inputText: 'Say hi, Titan' }) }),
    );
    const spans = await spansEnded(tracing, 3);
    const captured = spans.map((span) => [
      JSON.parse(String(span.attributes['gen_ai.input.messages'])),
      JSON.parse(String(span.attributes['gen_ai.output.messages'])),
    ]);
    expect(captured).toEqual([
      [
        [{ role: 'user', parts: [{ type: 'text', content: 'Say hi' }] }],
        [{ role: 'assistant', parts: [{ type: 'text', content: 'Nova says hi' }], finish_reason: 'end_turn' }],
      ],
      [
        [{ role: 'user', parts: [{ type: 'text', content: 'Say hi, Llama' }] }],
        [{ role: 'assistant', parts: [{ type: 'text', content: 'Llama says hi' }], finish_reason: 'stop' }],
      ],
      [
        [{ role: 'user', parts: [{ type: 'text', content: 'Say hi, Titan' }] }],
        [{ role: 'assistant', parts: [{ type: 'text', content: 'Titan says hi' }], finish_reason: 'FINISH' }],
      ],
    ]);
    expect(JSON.parse(String(spans[0]?.attributes['gen_ai.system_instructions']))).toEqual([
      { type: 'text', content: 'Be brief.' },
    ]);
  });

  it('captures-invoke-stream-text-and-tool-input-when-opted-in', async () => {
    tracing.instrumentation.setConfig({ captureContent: true });
    fake.reply({
      events: invokeStreamEvents([
        { type: 'message_start', message: { id: 'msg_3', usage: { input_tokens: 10, output_tokens: 1 } } },
        { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
        { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Let me ' } },
        { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'look.' } },
        { type: 'content_block_start', index: 1, content_block: { type: 'tool_use', id: 'tool_1', name: 'search' } },
        { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '{"q":' } },
        { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '"bedrock"}' } },
        { type: 'message_delta', delta: { stop_reason: 'tool_use' }, usage: { output_tokens: 20 } },
      ]),
    });
    const body = bodyOf({ anthropic_version: 'bedrock-2023-05-31', max_tokens: 64, messages: MESSAGES });
    const output = await client.send(new InvokeModelWithResponseStreamCommand({ modelId: CLAUDE, body }));
    for await (const _ of output.body) {
      // read on
    }
    const span = await onlySpan();
    expect(JSON.parse(String(span.attributes['gen_ai.output.messages']))).toEqual([
      {
        role: 'assistant',
        parts: [
          { type: 'text', content: 'Let me look.' },
          { type: 'tool_call', id: 'tool_1', name: 'search', arguments: { q: 'bedrock' } },
        ],
        finish_reason: 'tool_use',
      },
    ]);
  });

  it('captures-no-embedding-input', async () => {
    tracing.instrumentation.setConfig({ captureContent: true });
    fake.reply({ json: { embedding: [0.1], inputTextTokenCount: 2 } });
    await client.send(
      new InvokeModelCommand({ modelId: 'amazon.titan-embed-text-v2:0', body: bodyOf({ inputText: 'private text' }) }),
    );
    expect(JSON.stringify((await onlySpan()).attributes)).not.toContain('private text');
  });

  it('captures-streamed-text-and-tool-input-when-opted-in', async () => {
    tracing.instrumentation.setConfig({ captureContent: true });
    fake.reply({
      events: [
        { event: 'messageStart', data: { role: 'assistant' } },
        { event: 'contentBlockDelta', data: { contentBlockIndex: 0, delta: { text: 'Let me look.' } } },
        { event: 'contentBlockStop', data: { contentBlockIndex: 0 } },
        {
          event: 'contentBlockStart',
          data: { contentBlockIndex: 1, start: { toolUse: { toolUseId: 'tool_1', name: 'search' } } },
        },
        { event: 'contentBlockDelta', data: { contentBlockIndex: 1, delta: { toolUse: { input: '{"q":' } } } },
        { event: 'contentBlockDelta', data: { contentBlockIndex: 1, delta: { toolUse: { input: '"bedrock"}' } } } },
        { event: 'contentBlockStop', data: { contentBlockIndex: 1 } },
        { event: 'messageStop', data: { stopReason: 'tool_use' } },
        {
          event: 'metadata',
          data: { usage: { inputTokens: 10, outputTokens: 20, totalTokens: 30 }, metrics: { latencyMs: 1 } },
        },
      ],
    });
    const output = await client.send(new ConverseStreamCommand({ modelId: NOVA, messages: MESSAGES }));
    for await (const _ of output.stream) {
      // read on
    }
    const span = await onlySpan();
    expect(JSON.parse(String(span.attributes['gen_ai.output.messages']))).toEqual([
      {
        role: 'assistant',
        parts: [
          { type: 'text', content: 'Let me look.' },
          { type: 'tool_call', id: 'tool_1', name: 'search', arguments: { q: 'bedrock' } },
        ],
        finish_reason: 'tool_use',
      },
    ]);
  });
});
