import {
  ATTR_BUDGET_PROJECTED_USD,
  ATTR_COST_USD,
  ATTR_ERROR_TYPE,
  BudgetExceededError,
  currentBudget,
  withBudget,
} from '@agentburn/core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type FakeAnthropicServer, startAnthropicServer } from '../../../test/fakes/anthropic-server';
import { budgetSpan, budgetStory, ensureContextManager } from '../../../test/helpers/budget';
import { requireSdk, setupTracing } from './helpers';

ensureContextManager();
const tracing = setupTracing();
const Anthropic = requireSdk().default;
const tracer = tracing.provider.getTracer('budget-test');

// claude-haiku-4-5: $1 per million input tokens, $5 per million output tokens.
// Claude's tokenizer is not public: the request below is bounded by size at
// one token per two UTF-8 bytes: 3 request + 3 message framing + "user"
// ceil(4 / 2) = 2 + "Say hello." ceil(10 / 2) = 5 = 13 input tokens, plus
// its 100-token cap:  13 x 1e-6 + 100 x 5e-6 = 13e-6 + 500e-6 = 513e-6 USD.
// The fake bills 12 input and 5 output tokens: 12e-6 + 25e-6 = 37e-6 USD.
const MODEL = 'claude-haiku-4-5';
const PROJECTED = 513e-6;
const ACTUAL = 37e-6;
const params = () => ({ model: MODEL, max_tokens: 100, messages: [{ role: 'user', content: 'Say hello.' }] });

let fake: FakeAnthropicServer;
// biome-ignore lint/suspicious/noExplicitAny: the SDK loaded through require
let client: any;

beforeAll(async () => {
  fake = await startAnthropicServer();
  client = new Anthropic({ apiKey: 'sk-test-key', baseURL: fake.url, maxRetries: 0 });
});
afterEach(() => {
  fake.reset();
  tracing.exporter.reset();
});
afterAll(async () => {
  await fake.close();
  await tracing.provider.shutdown();
});

describe('anthropic calls under a budget', () => {
  it('refuses-before-sending: messages.create rejects and the fake sees zero requests', async () => {
    let caught: unknown;
    await withBudget({ limitUsd: 0.0005, tracer }, async () => {
      await client.messages.create(params()).catch((error: unknown) => {
        caught = error;
      });
    });
    expect(fake.requests).toHaveLength(0);
    expect(caught).toBeInstanceOf(BudgetExceededError);
    expect((caught as BudgetExceededError).projectedUsd).toBeCloseTo(PROJECTED, 15);
    const call = tracing.spans().find((s) => s.name === `chat ${MODEL}`);
    expect(call?.attributes[ATTR_ERROR_TYPE]).toBe('BudgetExceededError');
    expect(call?.attributes[ATTR_BUDGET_PROJECTED_USD]).toBeCloseTo(PROJECTED, 15);
    expect(call?.attributes[ATTR_COST_USD]).toBeUndefined();
    expect(budgetStory(budgetSpan(tracing.spans())).exceeded).toEqual(['refused']);
  });

  it('refuses-the-stream-helper: messages.stream() fails with the budget error as its cause', async () => {
    // MessageStream wraps every non-SDK error in an AnthropicError whose `cause` is the original.
    await withBudget({ limitUsd: 0.0005, tracer }, async () => {
      const stream = client.messages.stream(params());
      const error = await stream.finalMessage().catch((e: unknown) => e);
      expect((error as { cause?: unknown }).cause).toBeInstanceOf(BudgetExceededError);
    });
    expect(fake.requests).toHaveLength(0);
  });

  it('clamp-mode-lowers-max_tokens-on-a-copy', async () => {
    // 400e-6 left; input 13e-6; (400e-6 - 13e-6) / 5e-6 = 77.4: max_tokens 77.
    const body = params();
    await withBudget({ limitUsd: 0.0004, clampOutput: true, tracer }, async () => {
      await client.messages.create(body);
    });
    expect(fake.requests).toHaveLength(1);
    expect(fake.requests[0]?.body.max_tokens).toBe(77);
    expect(body.max_tokens).toBe(100);
  });

  it('streaming-call-reserves-its-cap-then-settles-to-the-billed-cost', async () => {
    let reservedWhileOpen: number | undefined;
    let after: ReturnType<typeof currentBudget>;
    await withBudget({ limitUsd: 0.01, tracer }, async () => {
      const stream = await client.messages.create({ ...params(), stream: true });
      reservedWhileOpen = currentBudget()?.reservedUsd;
      for await (const _event of stream) {
        // read to the end
      }
      after = currentBudget();
    });
    expect(fake.requests).toHaveLength(1);
    expect(reservedWhileOpen).toBeCloseTo(PROJECTED, 15);
    const call = tracing.spans().find((s) => s.name === `chat ${MODEL}`);
    expect(call?.attributes[ATTR_COST_USD]).toBeCloseTo(ACTUAL, 15);
    expect(after?.reservedUsd).toBe(0);
    expect(after?.spentUsd).toBe(call?.attributes[ATTR_COST_USD]);
  });
});
