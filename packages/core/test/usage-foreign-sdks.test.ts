/**
 * Foreign emitters for real: spans written by `@anthropic-ai/sdk`'s own
 * OpenTelemetry tracing and by `@traceloop/instrumentation-openai`, against
 * the local fakes of each wire protocol, then read and priced by core.
 */
import { createRequire } from 'node:module';
import { LlmPricer, readLlmCall } from '@agentburn/core';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { anthropicMessage, type FakeAnthropicServer, startAnthropicServer } from '../../../test/fakes/anthropic-server';
import { chatCompletion, type FakeOpenAIServer, startOpenAIServer } from '../../../test/fakes/openai-server';

const require = createRequire(import.meta.url);

function tracing() {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  return { exporter, provider };
}

describe('@anthropic-ai/sdk native tracing', () => {
  let server: FakeAnthropicServer;
  beforeAll(async () => {
    server = await startAnthropicServer();
  });
  afterEach(() => server.reset());
  afterAll(() => server.close());

  it('reads-and-prices-native-messages-create-span', async () => {
    const { exporter, provider } = tracing();
    const Anthropic = require('@anthropic-ai/sdk');
    const client = new Anthropic({
      apiKey: 'test-key',
      baseURL: server.url,
      maxRetries: 0,
      openTelemetry: { tracerProvider: provider },
    });
    server.reply({
      json: anthropicMessage({
        id: 'msg_native_1',
        model: 'claude-opus-4-7-20260101',
        text: 'ok',
        usage: {
          input_tokens: 1000,
          output_tokens: 500,
          cache_read_input_tokens: 6000,
          cache_creation_input_tokens: 3000,
          cache_creation: { ephemeral_5m_input_tokens: 2000, ephemeral_1h_input_tokens: 1000 },
        },
      }),
    });
    await client.messages.create({
      model: 'claude-opus-4-7',
      max_tokens: 64,
      messages: [{ role: 'user', content: 'hi' }],
    });
    await provider.forceFlush();
    const spans = exporter.getFinishedSpans();
    expect(spans).toHaveLength(1);
    const span = spans[0]!;
    expect(span.name).toBe('anthropic.messages.create');

    const call = readLlmCall(span.name, span.attributes, span.instrumentationScope.name);
    expect(call).toMatchObject({
      source: 'anthropic-native',
      provider: 'anthropic',
      requestModel: 'claude-opus-4-7',
      responseModel: 'claude-opus-4-7-20260101',
      responseId: 'msg_native_1',
      // Raw input 1000 + 6000 read + 3000 written: the SDK already sums them.
      usage: {
        inputTokens: 10000,
        cacheReadTokens: 6000,
        cacheWriteTokens: 3000,
        cacheWrite1hTokens: 1000,
        outputTokens: 500,
      },
      issues: [],
    });
    // claude-opus-4-7: input 5, cache_read 0.5, cache_write 6.25 (5 min), cache_write_1h 10, output 25.
    // 1000 x 5/1e6 = 0.005; 6000 x 0.5/1e6 = 0.003; 2000 x 6.25/1e6 + 1000 x 10/1e6 = 0.0125 + 0.01 = 0.0225;
    // 500 x 25/1e6 = 0.0125; total 0.043.
    const result = new LlmPricer({ pricesFile: '' }).price(call!, new Date('2026-02-01T00:00:00Z'));
    expect(result.model).toBe('claude-opus-4-7');
    expect(result.totalUsd).toBeCloseTo(0.043, 12);
    await provider.shutdown();
  });
});

describe('@traceloop/instrumentation-openai', () => {
  let server: FakeOpenAIServer;
  beforeAll(async () => {
    server = await startOpenAIServer();
  });
  afterEach(() => server.reset());
  afterAll(() => server.close());

  it('reads-and-prices-openllmetry-chat-span', async () => {
    const { exporter, provider } = tracing();
    const { OpenAIInstrumentation } = require('@traceloop/instrumentation-openai');
    const instrumentation = new OpenAIInstrumentation({ traceContent: false });
    instrumentation.setTracerProvider(provider);
    // manuallyInstrument wants the class, whose statics hold the resource classes.
    const { OpenAI } = require('openai');
    instrumentation.manuallyInstrument(OpenAI);
    try {
      const client = new OpenAI({ apiKey: 'test-key', baseURL: server.url, maxRetries: 0 });
      server.reply({
        json: chatCompletion({
          model: 'gpt-4o',
          responseModel: 'gpt-4o-2024-08-06',
          usage: { prompt_tokens: 1000, completion_tokens: 200, total_tokens: 1200 },
        }),
      });
      await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] });
      await provider.forceFlush();
      const spans = exporter.getFinishedSpans();
      expect(spans).toHaveLength(1);
      const span = spans[0]!;
      const call = readLlmCall(span.name, span.attributes, span.instrumentationScope.name);
      expect(call).toMatchObject({
        source: 'openllmetry',
        provider: 'openai',
        requestModel: 'gpt-4o',
        responseModel: 'gpt-4o-2024-08-06',
        usage: { inputTokens: 1000, outputTokens: 200 },
        issues: [],
      });
      // gpt-4o: 1000 x 2.5/1e6 + 200 x 10/1e6 = 0.0045.
      const result = new LlmPricer({ pricesFile: '' }).price(call!, new Date('2025-10-01T00:00:00Z'));
      expect(result.totalUsd).toBeCloseTo(0.0045, 12);
    } finally {
      instrumentation.disable();
      await provider.shutdown();
    }
  });
});
