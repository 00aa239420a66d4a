/**
 * One reader per telemetry convention. Attribute sets mirror what each
 * emitter writes (names and value shapes taken from its sources).
 */
import { readLlmCall } from '@agentburn/core';
import { describe, expect, it } from 'vitest';

describe('readLlmCall: GenAI semconv (our spans)', () => {
  it('reads-our-chat-span', () => {
    const call = readLlmCall('chat gpt-4o', {
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'gpt-4o',
      'gen_ai.response.model': 'gpt-4o-2024-08-06',
      'gen_ai.response.id': 'chatcmpl-1',
      'gen_ai.usage.input_tokens': 1000,
      'gen_ai.usage.output_tokens': 300,
      'gen_ai.usage.cache_read.input_tokens': 400,
      'gen_ai.usage.reasoning.output_tokens': 100,
      'openai.request.service_tier': 'auto',
      'openai.response.service_tier': 'flex',
    });
    expect(call).toEqual({
      source: 'genai',
      provider: 'openai',
      requestModel: 'gpt-4o',
      responseModel: 'gpt-4o-2024-08-06',
      responseId: 'chatcmpl-1',
      serviceTier: 'flex',
      usage: {
        inputTokens: 1000,
        outputTokens: 300,
        cacheReadTokens: 400,
        cacheWriteTokens: 0,
        cacheWrite1hTokens: 0,
        reasoningTokens: 100,
      },
      estimated: false,
      outputMissing: false,
      issues: [],
    });
  });

  it('reads-own-scope-spans-as-genai-without-detecting-other-conventions', () => {
    // A `llm.request.type` would make a span of unknown scope OpenLLMetry (cache figures
    // under other names); under our own scope the span is read as GenAI semconv.
    const attributes = {
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'gpt-4o',
      'gen_ai.usage.input_tokens': 1000,
      'gen_ai.usage.output_tokens': 300,
      'gen_ai.usage.cache_read.input_tokens': 400,
      'llm.request.type': 'chat',
    };
    const own = readLlmCall('chat gpt-4o', attributes, '@agentburn/instrumentation-openai');
    expect(own?.source).toBe('genai');
    expect(own?.usage.cacheReadTokens).toBe(400);
    expect(readLlmCall('chat gpt-4o', attributes, 'some-other-scope')?.source).toBe('openllmetry');
    // Non-inference spans of our own scopes (agents, sandboxes) are still no call.
    expect(
      readLlmCall('invoke_agent coder', { 'gen_ai.operation.name': 'invoke_agent' }, '@agentburn/core'),
    ).toBeUndefined();
  });

  it('reads-anthropic-cache-writes-with-1h-part', () => {
    // Our Anthropic spans: input already includes the 6000 read and 3000 written.
    const call = readLlmCall('chat claude-sonnet-4-5', {
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'anthropic',
      'gen_ai.request.model': 'claude-sonnet-4-5',
      'gen_ai.usage.input_tokens': 10000,
      'gen_ai.usage.output_tokens': 500,
      'gen_ai.usage.cache_read.input_tokens': 6000,
      'gen_ai.usage.cache_creation.input_tokens': 3000,
      'agentburn.usage.cache_creation_1h.input_tokens': 1000,
    });
    expect(call?.usage).toEqual({
      inputTokens: 10000,
      outputTokens: 500,
      cacheReadTokens: 6000,
      cacheWriteTokens: 3000,
      cacheWrite1hTokens: 1000,
      reasoningTokens: 0,
    });
  });

  it('reads-cache-write-alias', () => {
    const call = readLlmCall('chat m', {
      'gen_ai.operation.name': 'chat',
      'gen_ai.usage.input_tokens': 100,
      'gen_ai.usage.cache_write.input_tokens': 40,
    });
    expect(call?.usage.cacheWriteTokens).toBe(40);
  });

  it('reads-deprecated-system-and-prompt-completion-tokens', () => {
    const call = readLlmCall('openai.chat', {
      'gen_ai.system': 'openai',
      'gen_ai.request.model': 'gpt-4o-mini',
      'gen_ai.usage.prompt_tokens': 120,
      'gen_ai.usage.completion_tokens': 30,
      'gen_ai.openai.response.service_tier': 'default',
    });
    expect(call).toMatchObject({
      source: 'genai',
      provider: 'openai',
      requestModel: 'gpt-4o-mini',
      serviceTier: 'default',
      usage: { inputTokens: 120, outputTokens: 30 },
    });
  });

  it('reads-embeddings-span', () => {
    const call = readLlmCall('embeddings text-embedding-3-small', {
      'gen_ai.operation.name': 'embeddings',
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'text-embedding-3-small',
      'gen_ai.usage.input_tokens': 8,
    });
    expect(call?.usage.inputTokens).toBe(8);
  });
});

describe('readLlmCall: non-leaf spans', () => {
  const cases: Array<[string, Record<string, string | number>, string?]> = [
    ['invoke_agent coder', { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.usage.input_tokens': 10 }],
    ['execute_tool run', { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.provider.name': 'openai' }],
    ['ai.generateText', { 'ai.operationId': 'ai.generateText', 'ai.usage.inputTokens': 10, 'ai.model.id': 'gpt-4o' }],
    ['ai.streamText', { 'ai.operationId': 'ai.streamText', 'ai.usage.inputTokens': 10, 'ai.model.id': 'gpt-4o' }],
    ['ai.toolCall', { 'ai.operationId': 'ai.toolCall', 'ai.toolCall.name': 'search' }],
    ['step', { 'gen_ai.operation.name': 'step' }],
    ['e2b.sandbox', { 'e2b.sandbox.id': 'sbx', 'e2b.sandbox.billed_seconds': 10 }],
    ['e2b.run_code', { 'e2b.sandbox.id': 'sbx' }],
    ['GET', { 'http.request.method': 'GET' }],
    [
      'anthropic.messages.count_tokens',
      { 'gen_ai.request.model': 'claude-sonnet-4-5' },
      'com.anthropic.sdk.typescript',
    ],
    ['Agent', { 'traceloop.span.kind': 'workflow', 'gen_ai.usage.input_tokens': 10 }, '@traceloop/node-server-sdk'],
    ['ChatChain', { 'openinference.span.kind': 'CHAIN', 'llm.token_count.prompt': 10 }],
  ];
  for (const [name, attributes, scope] of cases) {
    it(`returns-undefined-for-${name.replace(/\s+/g, '-')}`, () => {
      expect(readLlmCall(name, attributes, scope)).toBeUndefined();
    });
  }
});

describe('readLlmCall: malformed values', () => {
  it('records-issue-for-non-numeric-string', () => {
    const call = readLlmCall('chat gpt-4o', {
      'gen_ai.operation.name': 'chat',
      'gen_ai.usage.input_tokens': 'abc',
      'gen_ai.usage.output_tokens': 20,
    });
    expect(call?.issues).toEqual(['gen_ai.usage.input_tokens is not a number']);
    expect(call?.usage.inputTokens).toBe(0);
    expect(call?.usage.outputTokens).toBe(20);
  });

  it('uses-numeric-string-with-issue', () => {
    const call = readLlmCall('chat gpt-4o', {
      'gen_ai.operation.name': 'chat',
      'gen_ai.usage.input_tokens': '150',
    });
    expect(call?.usage.inputTokens).toBe(150);
    expect(call?.issues).toEqual(['gen_ai.usage.input_tokens is a string']);
  });

  it('drops-nan-negative-and-infinite-counts', () => {
    const call = readLlmCall('chat gpt-4o', {
      'gen_ai.operation.name': 'chat',
      'gen_ai.usage.input_tokens': Number.NaN,
      'gen_ai.usage.output_tokens': -5,
      'gen_ai.usage.reasoning.output_tokens': Number.POSITIVE_INFINITY,
    });
    expect(call?.issues).toEqual([
      'gen_ai.usage.input_tokens is NaN',
      'gen_ai.usage.output_tokens is negative',
      'gen_ai.usage.reasoning.output_tokens is not finite',
    ]);
    expect(call?.usage).toEqual({
      inputTokens: 0,
      outputTokens: 0,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
      cacheWrite1hTokens: 0,
      reasoningTokens: 0,
    });
  });

  it('widens-input-when-cache-exceeds-input', () => {
    const call = readLlmCall('chat gpt-4o', {
      'gen_ai.operation.name': 'chat',
      'gen_ai.usage.input_tokens': 100,
      'gen_ai.usage.cache_read.input_tokens': 300,
    });
    expect(call?.issues).toEqual(['cache tokens exceed input tokens']);
    expect(call?.usage.inputTokens).toBe(300);
    expect(call?.usage.cacheReadTokens).toBe(300);
  });

  it('caps-parts-at-their-whole', () => {
    const call = readLlmCall('chat m', {
      'gen_ai.operation.name': 'chat',
      'gen_ai.usage.input_tokens': 1000,
      'gen_ai.usage.output_tokens': 10,
      'gen_ai.usage.reasoning.output_tokens': 50,
      'gen_ai.usage.cache_creation.input_tokens': 100,
      'agentburn.usage.cache_creation_1h.input_tokens': 200,
    });
    expect(call?.issues).toEqual(['1-hour cache writes exceed cache writes', 'reasoning tokens exceed output tokens']);
    expect(call?.usage).toMatchObject({
      outputTokens: 50,
      reasoningTokens: 50,
      cacheWriteTokens: 200,
      cacheWrite1hTokens: 200,
    });
  });

  it('never-throws-on-array-and-boolean-values', () => {
    const call = readLlmCall('chat m', {
      'gen_ai.operation.name': 'chat',
      'gen_ai.usage.input_tokens': [1, 2],
      'gen_ai.usage.output_tokens': true,
      'gen_ai.request.model': 42,
    });
    expect(call?.issues).toEqual([
      'gen_ai.usage.input_tokens is not a number',
      'gen_ai.usage.output_tokens is not a number',
    ]);
    expect(call?.requestModel).toBeUndefined();
  });
});

describe('readLlmCall: @anthropic-ai/sdk native tracing', () => {
  it('reads-messages-create-span-input-as-cache-inclusive', () => {
    // The SDK sets gen_ai.usage.input_tokens = input_tokens + cache_read + cache_creation
    // (here 100 + 2000 + 500), and the 1-hour share under its own name.
    const call = readLlmCall(
      'anthropic.messages.create',
      {
        'gen_ai.operation.name': 'chat',
        'gen_ai.provider.name': 'anthropic',
        'gen_ai.request.model': 'claude-sonnet-4-5',
        'gen_ai.response.model': 'claude-sonnet-4-5-20250929',
        'gen_ai.response.id': 'msg_1',
        'gen_ai.usage.input_tokens': 2600,
        'gen_ai.usage.cache_read.input_tokens': 2000,
        'gen_ai.usage.cache_write.input_tokens': 500,
        'anthropic.usage.cache_creation.ephemeral_5m_input_tokens': 300,
        'anthropic.usage.cache_creation.ephemeral_1h_input_tokens': 200,
        'gen_ai.usage.output_tokens': 50,
        'anthropic.request.service_tier': 'auto',
        'anthropic.response.service_tier': 'standard',
      },
      'com.anthropic.sdk.typescript',
    );
    expect(call).toEqual({
      source: 'anthropic-native',
      provider: 'anthropic',
      requestModel: 'claude-sonnet-4-5',
      responseModel: 'claude-sonnet-4-5-20250929',
      responseId: 'msg_1',
      serviceTier: 'standard',
      usage: {
        inputTokens: 2600,
        outputTokens: 50,
        cacheReadTokens: 2000,
        cacheWriteTokens: 500,
        cacheWrite1hTokens: 200,
        reasoningTokens: 0,
      },
      estimated: false,
      issues: [],
    });
  });

  it('adds-compaction-tokens', () => {
    const call = readLlmCall(
      'anthropic.messages.create',
      {
        'gen_ai.usage.input_tokens': 1000,
        'gen_ai.usage.output_tokens': 100,
        'anthropic.usage.compaction.input_tokens': 5000,
        'anthropic.usage.compaction.output_tokens': 400,
      },
      'com.anthropic.sdk.typescript',
    );
    // The compaction's 5000 input tokens cannot be split by kind: counted as cache reads, estimated.
    expect(call?.usage).toMatchObject({ inputTokens: 6000, cacheReadTokens: 5000, outputTokens: 500 });
    expect(call?.estimated).toBe(true);
  });
});

describe('readLlmCall: Vercel AI SDK', () => {
  it('reads-v6-doGenerate-with-inclusive-input-details', () => {
    const call = readLlmCall('ai.generateText.doGenerate', {
      'ai.operationId': 'ai.generateText.doGenerate',
      'ai.model.provider': 'anthropic.messages',
      'ai.model.id': 'claude-sonnet-4-5',
      'ai.response.model': 'claude-sonnet-4-5-20250929',
      'ai.response.id': 'msg_2',
      'ai.usage.inputTokens': 9500,
      'ai.usage.inputTokenDetails.noCacheTokens': 1000,
      'ai.usage.inputTokenDetails.cacheReadTokens': 8000,
      'ai.usage.inputTokenDetails.cacheWriteTokens': 500,
      'ai.usage.outputTokens': 300,
      'ai.usage.outputTokenDetails.reasoningTokens': 120,
      'ai.usage.cachedInputTokens': 8000,
      'gen_ai.system': 'anthropic.messages',
      'gen_ai.usage.input_tokens': 9500,
    });
    expect(call).toEqual({
      source: 'ai-sdk',
      provider: 'anthropic',
      requestModel: 'claude-sonnet-4-5',
      responseModel: 'claude-sonnet-4-5-20250929',
      responseId: 'msg_2',
      usage: {
        inputTokens: 9500,
        outputTokens: 300,
        cacheReadTokens: 8000,
        cacheWriteTokens: 500,
        cacheWrite1hTokens: 0,
        reasoningTokens: 120,
      },
      estimated: false,
      issues: [],
    });
  });

  it('adds-cache-to-pre-v6-anthropic-input', () => {
    // Before v6 the Anthropic provider reported raw input_tokens (1000, cache excluded) and
    // cache creation only in provider metadata: 1000 + 8000 read + 500 written = 9500.
    const call = readLlmCall('ai.streamText.doStream', {
      'ai.operationId': 'ai.streamText.doStream',
      'ai.model.provider': 'anthropic.messages',
      'ai.model.id': 'claude-3-5-sonnet-latest',
      'ai.usage.inputTokens': 1000,
      'ai.usage.outputTokens': 300,
      'ai.usage.cachedInputTokens': 8000,
      'ai.response.providerMetadata': JSON.stringify({
        anthropic: { cacheCreationInputTokens: 500, usage: { cache_creation: { ephemeral_1h_input_tokens: 200 } } },
      }),
    });
    expect(call?.usage).toMatchObject({
      inputTokens: 9500,
      cacheReadTokens: 8000,
      cacheWriteTokens: 500,
      cacheWrite1hTokens: 200,
    });
  });

  it('keeps-pre-v6-openai-input-inclusive-and-reads-tier', () => {
    const call = readLlmCall('ai.generateText.doGenerate', {
      'ai.model.provider': 'openai.responses',
      'ai.model.id': 'gpt-4o',
      'ai.usage.promptTokens': 1000,
      'ai.usage.completionTokens': 100,
      'ai.usage.cachedInputTokens': 600,
      'ai.response.providerMetadata': JSON.stringify({ openai: { serviceTier: 'flex' } }),
    });
    expect(call).toMatchObject({
      provider: 'openai',
      serviceTier: 'flex',
      usage: { inputTokens: 1000, cacheReadTokens: 600, outputTokens: 100 },
    });
  });

  it('reads-openrouter-provider-cost', () => {
    const call = readLlmCall('ai.generateText.doGenerate', {
      'ai.model.provider': 'openrouter.chat',
      'ai.model.id': 'openai/gpt-4o',
      'ai.usage.inputTokens': 1000,
      'ai.usage.outputTokens': 100,
      'ai.response.providerMetadata': JSON.stringify({ openrouter: { usage: { cost: 0.0042, totalTokens: 1100 } } }),
    });
    expect(call?.provider).toBe('openrouter');
    expect(call?.providerCostUsd).toBe(0.0042);
  });

  it('reads-ai-gateway-cost-string', () => {
    const call = readLlmCall('ai.embed.doEmbed', {
      'ai.model.provider': 'gateway',
      'ai.model.id': 'openai/text-embedding-3-small',
      'ai.usage.tokens': 12,
      'ai.response.providerMetadata': JSON.stringify({ gateway: { cost: '0.00000024' } }),
    });
    expect(call?.providerCostUsd).toBe(0.00000024);
    expect(call?.usage.inputTokens).toBe(12);
  });

  it('records-issue-for-invalid-provider-metadata', () => {
    const call = readLlmCall('ai.generateText.doGenerate', {
      'ai.model.id': 'gpt-4o',
      'ai.usage.inputTokens': 10,
      'ai.response.providerMetadata': '{not json',
    });
    expect(call?.issues).toEqual(['ai.response.providerMetadata is not valid JSON']);
  });

  it('reads-v7-chat-span-as-genai-with-provider-cost', () => {
    const call = readLlmCall(
      'chat gpt-4o',
      {
        'gen_ai.operation.name': 'chat',
        'gen_ai.provider.name': 'openai.responses',
        'gen_ai.request.model': 'gpt-4o',
        'gen_ai.response.model': 'gpt-4o-2024-08-06',
        'gen_ai.usage.input_tokens': 2000,
        'gen_ai.usage.output_tokens': 100,
        'gen_ai.usage.cache_read.input_tokens': 1500,
        'ai.response.providerMetadata': JSON.stringify({ gateway: { cost: '0.0021' } }),
      },
      'ai',
    );
    expect(call).toMatchObject({
      source: 'ai-sdk',
      provider: 'openai',
      responseModel: 'gpt-4o-2024-08-06',
      providerCostUsd: 0.0021,
      usage: { inputTokens: 2000, cacheReadTokens: 1500, outputTokens: 100 },
    });
  });
});

describe('readLlmCall: OpenLLMetry', () => {
  it('reads-traceloop-openai-chat-span', () => {
    // What @traceloop/instrumentation-openai 0.27 sets on a chat span.
    const call = readLlmCall(
      'chat gpt-4o',
      {
        'gen_ai.provider.name': 'openai',
        'gen_ai.operation.name': 'chat',
        'gen_ai.request.model': 'gpt-4o',
        'gen_ai.response.model': 'gpt-4o-2024-08-06',
        'gen_ai.response.id': 'chatcmpl-9',
        'gen_ai.usage.input_tokens': 52,
        'gen_ai.usage.output_tokens': 7,
        'gen_ai.usage.total_tokens': 59,
      },
      '@traceloop/instrumentation-openai',
    );
    expect(call).toMatchObject({
      source: 'openllmetry',
      provider: 'openai',
      responseId: 'chatcmpl-9',
      usage: { inputTokens: 52, outputTokens: 7 },
      issues: [],
    });
  });

  it('reads-legacy-openllmetry-names', () => {
    const call = readLlmCall('anthropic.chat', {
      'llm.request.type': 'chat',
      'gen_ai.system': 'Anthropic',
      'gen_ai.request.model': 'claude-3-5-sonnet-20241022',
      'gen_ai.usage.prompt_tokens': 5000,
      'gen_ai.usage.completion_tokens': 200,
      'gen_ai.usage.cache_read_input_tokens': 3000,
      'gen_ai.usage.cache_creation_input_tokens': 1000,
      'gen_ai.usage.reasoning_tokens': 50,
      'llm.usage.total_tokens': 5200,
    });
    expect(call).toMatchObject({
      source: 'openllmetry',
      provider: 'anthropic',
      usage: {
        inputTokens: 5000,
        outputTokens: 200,
        cacheReadTokens: 3000,
        cacheWriteTokens: 1000,
        reasoningTokens: 50,
      },
    });
  });
});

describe('readLlmCall: OpenInference', () => {
  it('reads-llm-span-token-counts', () => {
    const call = readLlmCall('ChatOpenAI', {
      'openinference.span.kind': 'LLM',
      'llm.model_name': 'gpt-4o-mini',
      'llm.provider': 'openai',
      'llm.system': 'openai',
      'llm.token_count.prompt': 900,
      'llm.token_count.completion': 120,
      'llm.token_count.total': 1020,
      'llm.token_count.prompt_details.cache_read': 512,
      'llm.token_count.prompt_details.cache_write': 64,
      'llm.token_count.completion_details.reasoning': 32,
    });
    expect(call).toEqual({
      source: 'openinference',
      provider: 'openai',
      requestModel: 'gpt-4o-mini',
      responseModel: 'gpt-4o-mini',
      usage: {
        inputTokens: 900,
        outputTokens: 120,
        cacheReadTokens: 512,
        cacheWriteTokens: 64,
        cacheWrite1hTokens: 0,
        reasoningTokens: 32,
      },
      estimated: false,
      issues: [],
    });
  });

  it('maps-openinference-provider-names', () => {
    const call = readLlmCall('llm', {
      'openinference.span.kind': 'llm',
      'llm.model_name': 'gemini-2.5-pro',
      'llm.provider': 'google',
      'llm.token_count.prompt': 10,
    });
    expect(call?.provider).toBe('gcp.gemini');
  });
});
