import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  type FakeGeminiServer,
  geminiResponse,
  geminiStreamChunks,
  startGeminiServer,
} from '../../../test/fakes/gemini-server';
import { requireSdk, setupTracing, spansEnded } from './helpers';

const tracing = setupTracing();
const { GoogleGenAI, ApiError } = requireSdk();

// @pydantic/genai-prices 0.1.8, USD per million tokens:
//   gemini-2.5-flash: input 0.3, cache read 0.03, output 2.5
//   gemini-2.5-pro:   input 1.25 (2.5 above 200k input tokens), cache read 0.125 (0.25), output 10 (15)
//   gemini-embedding-001: input 0.15
const FLASH = 'gemini-2.5-flash';
const PRO = 'gemini-2.5-pro';

let fake: FakeGeminiServer;
let ai: any;
let vertex: any;

beforeAll(async () => {
  fake = await startGeminiServer();
  ai = new GoogleGenAI({ apiKey: 'test-api-key', httpOptions: { baseUrl: fake.url } });
  vertex = new GoogleGenAI({ vertexai: true, apiKey: 'test-api-key', httpOptions: { baseUrl: fake.url } });
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

async function onlySpan() {
  const spans = await spansEnded(tracing, 1);
  expect(spans).toHaveLength(1);
  return spans[0]!;
}

describe('usage and cost', () => {
  it('maps-usage-metadata-cache-thoughts-tool-use', async () => {
    // promptTokenCount includes the 4000 cached tokens; tool-use prompt and thoughts are counted apart.
    const usage = {
      promptTokenCount: 10_000,
      cachedContentTokenCount: 4000,
      toolUsePromptTokenCount: 1000,
      candidatesTokenCount: 500,
      thoughtsTokenCount: 1500,
      totalTokenCount: 13_000,
    };
    fake.reply({ json: geminiResponse({ modelVersion: FLASH, text: 'ok', usage, responseId: 'resp_1' }) });
    const response = await ai.models.generateContent({
      model: FLASH,
      contents: 'Say hi',
      config: { maxOutputTokens: 256, temperature: 0.2, topP: 0.9 },
    });
    expect(response.text).toBe('ok');

    const span = await onlySpan();
    expect(span.name).toBe(`generate_content ${FLASH}`);
    expect(span.kind).toBe(SpanKind.CLIENT);
    expect(span.attributes).toMatchObject({
      'gen_ai.operation.name': 'generate_content',
      'gen_ai.provider.name': 'gcp.gemini',
      'gen_ai.request.model': FLASH,
      'gen_ai.request.max_tokens': 256,
      'gen_ai.request.temperature': 0.2,
      'gen_ai.request.top_p': 0.9,
      'gen_ai.response.model': FLASH,
      'gen_ai.response.id': 'resp_1',
      'gen_ai.response.finish_reasons': ['STOP'],
      'server.address': '127.0.0.1',
      'server.port': fake.port,
      // 10000 prompt (cache included) + 1000 tool-use prompt
      'gen_ai.usage.input_tokens': 11_000,
      'gen_ai.usage.cache_read.input_tokens': 4000,
      // 500 candidates + 1500 thoughts
      'gen_ai.usage.output_tokens': 2000,
      'gen_ai.usage.reasoning.output_tokens': 1500,
    });
    // By hand on gemini-2.5-flash:
    //   uncached input 7000 x 0.3  / 1e6 = 0.0021
    //   cache read     4000 x 0.03 / 1e6 = 0.00012
    //   output         2000 x 2.5  / 1e6 = 0.005   (thoughts billed as output)
    //   total                           = 0.00722
    expect(span.attributes.cost_usd).toBeCloseTo(0.00722, 12);
    expect(span.attributes['agentburn.cost.input_usd']).toBeCloseTo(0.0021, 12);
    expect(span.attributes['agentburn.cost.cache_read_usd']).toBeCloseTo(0.00012, 12);
    expect(span.attributes['agentburn.cost.output_usd']).toBeCloseTo(0.005, 12);
    expect(span.attributes['agentburn.pricing.model']).toBe(FLASH);
  });

  it('implicit-cache-hit-is-a-cache-read', async () => {
    // No cachedContent in the request: Gemini 2.5's implicit cache still reports cachedContentTokenCount.
    const usage = { promptTokenCount: 2000, cachedContentTokenCount: 1024, candidatesTokenCount: 100 };
    fake.reply({ json: geminiResponse({ modelVersion: FLASH, text: 'ok', usage }) });
    await ai.models.generateContent({ model: FLASH, contents: 'long prompt' });
    const span = await onlySpan();
    expect(fake.requests[0]!.body.cachedContent).toBeUndefined();
    expect(span.attributes['gen_ai.usage.cache_read.input_tokens']).toBe(1024);
    // 976 x 0.3 + 1024 x 0.03 + 100 x 2.5 = 292.8 + 30.72 + 250 = 573.52 per 1e6
    expect(span.attributes.cost_usd).toBeCloseTo(0.00057352, 12);
  });

  it('prices-long-context-tier-above-200k-input', async () => {
    const usage = {
      promptTokenCount: 250_000,
      cachedContentTokenCount: 50_000,
      candidatesTokenCount: 1000,
      thoughtsTokenCount: 1000,
    };
    fake.reply({ json: geminiResponse({ modelVersion: PRO, text: 'ok', usage }) });
    await ai.models.generateContent({ model: PRO, contents: 'a very long prompt' });
    const span = await onlySpan();
    // 250000 input tokens > 200000: every class at the long-context rate.
    //   uncached 200000 x 2.5  = 500000
    //   cache     50000 x 0.25 =  12500
    //   output     2000 x 15   =  30000
    //   total 542500 / 1e6     = 0.5425
    expect(span.attributes.cost_usd).toBeCloseTo(0.5425, 12);
    expect(span.attributes['agentburn.cost.cache_read_usd']).toBeCloseTo(0.0125, 12);
  });

  it('prices-base-tier-at-exactly-200k-input', async () => {
    const usage = { promptTokenCount: 200_000, candidatesTokenCount: 1000 };
    fake.reply({ json: geminiResponse({ modelVersion: PRO, text: 'ok', usage }) });
    await ai.models.generateContent({ model: PRO, contents: 'a long prompt' });
    const span = await onlySpan();
    // 200000 x 1.25 + 1000 x 10 = 260000 / 1e6
    expect(span.attributes.cost_usd).toBeCloseTo(0.26, 12);
  });

  it('unknown-model-is-unpriced-never-zero', async () => {
    fake.reply({
      json: geminiResponse({ modelVersion: 'gemini-99-ultra', text: 'ok', usage: { promptTokenCount: 5 } }),
    });
    await ai.models.generateContent({ model: 'gemini-99-ultra', contents: 'hi' });
    const span = await onlySpan();
    expect(span.attributes.cost_usd).toBeUndefined();
    expect(span.attributes['agentburn.cost.status']).toBe('unpriced');
  });
});

describe('vertex ai', () => {
  it('vertex-mode-provider-is-gcp-vertex-ai', async () => {
    const usage = { promptTokenCount: 1000, candidatesTokenCount: 100 };
    fake.reply({ json: geminiResponse({ modelVersion: FLASH, text: 'ok', usage }) });
    await vertex.models.generateContent({ model: FLASH, contents: 'hi' });
    const span = await onlySpan();
    expect(fake.requests[0]!.path).toBe(`/v1beta1/publishers/google/models/${FLASH}:generateContent`);
    expect(span.attributes['gen_ai.provider.name']).toBe('gcp.vertex_ai');
    // 1000 x 0.3 + 100 x 2.5 = 550 / 1e6
    expect(span.attributes.cost_usd).toBeCloseTo(0.00055, 12);
  });

  it('vertex-embeddings-priced-from-token-statistics', async () => {
    const response = await vertex.models.embedContent({
      model: 'gemini-embedding-001',
      contents: ['one two three', 'four five'],
    });
    expect(response.embeddings).toHaveLength(2);
    const span = await onlySpan();
    expect(span.name).toBe('embeddings gemini-embedding-001');
    expect(span.attributes['gen_ai.operation.name']).toBe('embeddings');
    // The fake counts one token per word: 3 + 2.
    expect(span.attributes['gen_ai.usage.input_tokens']).toBe(5);
    // 5 x 0.15 / 1e6
    expect(span.attributes.cost_usd).toBeCloseTo(0.00000075, 14);
  });
});

describe('other calls', () => {
  it('gemini-api-embeddings-without-usage-are-unpriced', async () => {
    await ai.models.embedContent({ model: 'gemini-embedding-001', contents: ['a', 'b'] });
    const span = await onlySpan();
    expect(span.attributes['gen_ai.usage.input_tokens']).toBeUndefined();
    expect(span.attributes.cost_usd).toBeUndefined();
    expect(span.attributes['agentburn.cost.status']).toBe('unpriced');
  });

  it('count-tokens-span-has-no-cost', async () => {
    const result = await ai.models.countTokens({ model: FLASH, contents: 'hi' });
    expect(result.totalTokens).toBe(12);
    const span = await onlySpan();
    expect(span.name).toBe(`count_tokens ${FLASH}`);
    expect(span.attributes['gen_ai.operation.name']).toBe('count_tokens');
    expect(span.attributes.cost_usd).toBeUndefined();
    expect(span.attributes['agentburn.cost.status']).toBeUndefined();
  });

  it('chat-send-and-stream-one-span-per-request', async () => {
    const chat = ai.chats.create({ model: FLASH });
    const reply = await chat.sendMessage({ message: 'hi' });
    expect(reply.text).toBe('Hello from the fake.');
    let text = '';
    for await (const chunk of await chat.sendMessageStream({ message: 'again' })) text += chunk.text;
    expect(text).toBe('Hello from the fake.');
    const spans = await spansEnded(tracing, 2);
    expect(spans.map((s) => [s.name, s.attributes['gen_ai.request.stream'] ?? false])).toEqual([
      [`generate_content ${FLASH}`, false],
      [`generate_content ${FLASH}`, true],
    ]);
    // Default usage 12 in / 5 out: 12 x 0.3 + 5 x 2.5 = 16.1 per 1e6, each.
    for (const span of spans) expect(span.attributes.cost_usd).toBeCloseTo(0.0000161, 14);
    // The SDK's own bookkeeping still sees both turns.
    const userTurns = chat.getHistory().filter((message: any) => message.role === 'user');
    expect(userTurns.map((message: any) => message.parts[0].text)).toEqual(['hi', 'again']);
  });
});

describe('automatic function calling', () => {
  it('afc-gives-one-span-per-request', async () => {
    // The SDK calls the model, runs the tool, and calls the model again: two billed requests.
    const lookup = {
      tool: async () => ({ functionDeclarations: [{ name: 'lookup', description: 'Looks a word up.' }] }),
      callTool: async () => [{ functionResponse: { name: 'lookup', response: { meaning: 'a greeting' } } }],
    };
    fake.reply(
      {
        json: geminiResponse({
          modelVersion: FLASH,
          parts: [{ functionCall: { name: 'lookup', args: { word: 'hi' } } }],
          usage: { promptTokenCount: 1000, candidatesTokenCount: 20 },
          responseId: 'resp_call',
        }),
      },
      {
        json: geminiResponse({
          modelVersion: FLASH,
          text: 'It is a greeting.',
          usage: { promptTokenCount: 1100, candidatesTokenCount: 50 },
          responseId: 'resp_answer',
        }),
      },
    );
    const response = await ai.models.generateContent({
      model: FLASH,
      contents: 'What is hi?',
      config: { tools: [lookup] },
    });
    expect(response.text).toBe('It is a greeting.');
    const spans = await spansEnded(tracing, 2);
    expect(spans.map((s) => s.attributes['gen_ai.response.id'])).toEqual(['resp_call', 'resp_answer']);
    // 1000 x 0.3 + 20 x 2.5 = 350 per 1e6; 1100 x 0.3 + 50 x 2.5 = 455 per 1e6
    expect(spans.map((s) => s.attributes.cost_usd)).toEqual([
      expect.closeTo(0.00035, 12),
      expect.closeTo(0.000455, 12),
    ]);
  });
});

describe('streams', () => {
  const usage = {
    promptTokenCount: 3000,
    cachedContentTokenCount: 2000,
    candidatesTokenCount: 40,
    thoughtsTokenCount: 60,
  };

  it('stream-takes-usage-from-the-last-chunk', async () => {
    fake.reply({ sse: geminiStreamChunks({ modelVersion: FLASH, text: 'abcdef', usage, responseId: 'resp_s' }, 3) });
    const stream = await ai.models.generateContentStream({ model: FLASH, contents: 'hi' });
    const chunks: string[] = [];
    for await (const chunk of stream) chunks.push(chunk.text);
    expect(chunks).toEqual(['ab', 'cd', 'ef']);
    const span = await onlySpan();
    expect(span.attributes).toMatchObject({
      'gen_ai.request.stream': true,
      'gen_ai.response.id': 'resp_s',
      'gen_ai.usage.input_tokens': 3000,
      'gen_ai.usage.cache_read.input_tokens': 2000,
      'gen_ai.usage.output_tokens': 100,
      'gen_ai.usage.reasoning.output_tokens': 60,
      'gen_ai.response.finish_reasons': ['STOP'],
    });
    // 1000 x 0.3 + 2000 x 0.03 + 100 x 2.5 = 300 + 60 + 250 = 610 per 1e6
    expect(span.attributes.cost_usd).toBeCloseTo(0.00061, 12);
  });

  it('ends-span-on-early-break-without-running-output-count', async () => {
    fake.reply({
      sse: geminiStreamChunks({ modelVersion: FLASH, text: 'abcdef', usage }, 3),
      holdAfter: 1,
    });
    const stream = await ai.models.generateContentStream({ model: FLASH, contents: 'hi' });
    for await (const chunk of stream) {
      expect(chunk.text).toBe('ab');
      break;
    }
    const span = await onlySpan();
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
    // The prompt figures are final from the first chunk; the output count was still running.
    expect(span.attributes['gen_ai.usage.input_tokens']).toBe(3000);
    expect(span.attributes['gen_ai.usage.output_tokens']).toBeUndefined();
    // 1000 x 0.3 + 2000 x 0.03 = 360 per 1e6
    expect(span.attributes.cost_usd).toBeCloseTo(0.00036, 12);
  });

  it('keeps-the-sdk-generator-and-next-calls', async () => {
    fake.reply({ sse: geminiStreamChunks({ modelVersion: FLASH, text: 'abcdef', usage }, 3) });
    // Without continuation the caller holds the generator the request method made, observed in place.
    const stream = await ai.models.generateContentStream({
      model: FLASH,
      contents: 'hi',
      config: { automaticContinuation: false, automaticFunctionCalling: { disable: true } },
    });
    expect(stream[Symbol.asyncIterator]()).toBe(stream);
    const texts: string[] = [];
    for (let r = await stream.next(); !r.done; r = await stream.next()) texts.push(r.value.text);
    expect(texts.join('')).toBe('abcdef');
    expect((await onlySpan()).attributes['gen_ai.usage.output_tokens']).toBe(100);
  });

  it('stream-error-in-band-ends-span-as-error', async () => {
    fake.reply({
      sse: [
        geminiStreamChunks({ modelVersion: FLASH, text: 'ab', usage }, 1)[0]!,
        { error: { code: 503, message: 'The model is overloaded.', status: 'UNAVAILABLE' } },
      ],
    });
    const stream = await ai.models.generateContentStream({
      model: FLASH,
      contents: 'hi',
      config: { automaticContinuation: false },
    });
    const caught = await (async () => {
      for await (const _ of stream) {
        // read on
      }
    })().catch((error: unknown) => error);
    expect(caught).toBeInstanceOf(ApiError);
    const span = await onlySpan();
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(span.attributes['error.type']).toBe('ApiError');
  });
});

describe('errors', () => {
  it('records-api-error-and-rethrows-it', async () => {
    fake.reply({ error: { code: 429, status: 'RESOURCE_EXHAUSTED', message: 'Quota exceeded' } });
    const error = await ai.models.generateContent({ model: FLASH, contents: 'hi' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error.status).toBe(429);
    const span = await onlySpan();
    expect(span.status).toMatchObject({ code: SpanStatusCode.ERROR });
    expect(span.attributes['error.type']).toBe('ApiError');
    expect(span.attributes.cost_usd).toBeUndefined();
  });

  it('abort-ends-span-as-error', async () => {
    fake.reply({ hang: true });
    const controller = new AbortController();
    const pending = ai.models.generateContent({
      model: FLASH,
      contents: 'hi',
      config: { abortSignal: controller.signal },
    });
    for (let i = 0; i < 10_000 && fake.requests.length < 1; i++) await new Promise((r) => setImmediate(r));
    controller.abort();
    const error = await pending.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    const span = await onlySpan();
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(span.attributes['error.type']).toBeDefined();
  });
});

describe('content', () => {
  it('records-no-content-by-default', async () => {
    await ai.models.generateContent({
      model: FLASH,
      contents: 'a secret prompt',
      config: { systemInstruction: 'secret system' },
    });
    const span = await onlySpan();
    const keys = Object.keys(span.attributes);
    expect(
      keys.filter(
        (k) => k.startsWith('gen_ai.input') || k.startsWith('gen_ai.output') || k.includes('system_instructions'),
      ),
    ).toEqual([]);
    expect(JSON.stringify(span.attributes)).not.toContain('secret');
    expect(JSON.stringify(span.attributes)).not.toContain('test-api-key');
  });

  it('captures-content-when-opted-in', async () => {
    tracing.instrumentation.setConfig({ captureContent: true });
    await ai.models.generateContent({
      model: FLASH,
      contents: [
        { role: 'user', parts: [{ text: 'Say hi' }, { inlineData: { mimeType: 'image/png', data: 'AAAA' } }] },
      ],
      config: { systemInstruction: 'Be brief.' },
    });
    const span = await onlySpan();
    expect(JSON.parse(String(span.attributes['gen_ai.input.messages']))).toEqual([
      { role: 'user', parts: [{ type: 'text', content: 'Say hi' }, { type: 'inlineData' }] },
    ]);
    expect(JSON.parse(String(span.attributes['gen_ai.system_instructions']))).toEqual([
      { type: 'text', content: 'Be brief.' },
    ]);
    expect(JSON.parse(String(span.attributes['gen_ai.output.messages']))).toEqual([
      { role: 'assistant', parts: [{ type: 'text', content: 'Hello from the fake.' }], finish_reason: 'STOP' },
    ]);
  });
});
