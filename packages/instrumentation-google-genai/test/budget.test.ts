import {
  ATTR_BUDGET_ACTION,
  ATTR_BUDGET_PROJECTED_USD,
  ATTR_BUDGET_SPENT_USD,
  ATTR_BUDGET_THRESHOLD,
  ATTR_COST_USD,
  ATTR_ERROR_TYPE,
  BudgetExceededError,
  currentBudget,
  EVENT_BUDGET_EXCEEDED,
  EVENT_BUDGET_WARNING,
  setTraceBudget,
  type WithBudgetOptions,
  withBudget,
} from '@agentburn/core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type FakeGeminiServer, startGeminiServer } from '../../../test/fakes/gemini-server';
import { budgetSpan, budgetStory, ensureContextManager } from '../../../test/helpers/budget';
import { requireSdk, setupTracing, spansEnded } from './helpers';

ensureContextManager();
const tracing = setupTracing();
const { GoogleGenAI } = requireSdk();
const tracer = tracing.provider.getTracer('budget-test');

// gemini-2.5-flash: $0.30 per million input tokens, $2.50 per million output tokens.
// Gemini's tokenizer is not public: `contents: 'Say hello.'` is bounded by size
// at one token per two UTF-8 bytes: 3 request + ceil(10 / 2) = 5 -> 8 input
// tokens, plus the 100-token cap:  8 x 0.3e-6 + 100 x 2.5e-6 = 2.4e-6 + 250e-6 = 252.4e-6 USD.
// The fake bills 12 prompt and 5 candidate tokens: 12 x 0.3e-6 + 5 x 2.5e-6 = 3.6e-6 + 12.5e-6 = 16.1e-6 USD.
const FLASH = 'gemini-2.5-flash';
const SPAN = `generate_content ${FLASH}`;
const PROJECTED = 252.4e-6;
const ACTUAL = 16.1e-6;
const params = () => ({ model: FLASH, contents: 'Say hello.', config: { maxOutputTokens: 100 } });
const budget = (options: Omit<WithBudgetOptions, 'tracer'>): WithBudgetOptions => ({ ...options, tracer });

let fake: FakeGeminiServer;
let ai: any;

beforeAll(async () => {
  fake = await startGeminiServer();
  ai = new GoogleGenAI({ apiKey: 'test-api-key', httpOptions: { baseUrl: fake.url } });
});
afterEach(() => {
  fake.reset();
  tracing.exporter.reset();
  tracing.instrumentation.setConfig({});
  setTraceBudget(undefined);
});
afterAll(async () => {
  await fake.close();
  await tracing.provider.shutdown();
});

const callSpan = () => tracing.spans().find((s) => s.name === SPAN);

describe('gemini calls under a budget', () => {
  it('refuses-generateContent-before-sending: the fake sees zero requests, the span stays', async () => {
    let caught: unknown;
    await withBudget(budget({ limitUsd: 0.0002 }), async () => {
      caught = await ai.models.generateContent(params()).catch((error: unknown) => error);
    });
    expect(fake.requests).toHaveLength(0);
    expect(caught).toBeInstanceOf(BudgetExceededError);
    expect((caught as BudgetExceededError).projectedUsd).toBeCloseTo(PROJECTED, 15);
    expect((caught as BudgetExceededError).refused).toBe(SPAN);
    const call = callSpan();
    expect(call?.attributes[ATTR_ERROR_TYPE]).toBe('BudgetExceededError');
    expect(call?.attributes[ATTR_BUDGET_PROJECTED_USD]).toBeCloseTo(PROJECTED, 15);
    expect(call?.attributes[ATTR_COST_USD]).toBeUndefined();
    const scope = budgetSpan(tracing.spans());
    expect(budgetStory(scope)).toEqual({ status: 'exceeded', exceeded: ['refused'], warnings: [] });
    expect(call?.parentSpanContext?.spanId).toBe(scope.spanContext().spanId);
  });

  it('refuses-generateContentStream-before-sending', async () => {
    await withBudget(budget({ limitUsd: 0.0002 }), async () => {
      await expect(ai.models.generateContentStream(params())).rejects.toBeInstanceOf(BudgetExceededError);
    });
    expect(fake.requests).toHaveLength(0);
    expect(callSpan()?.attributes[ATTR_BUDGET_PROJECTED_USD]).toBeCloseTo(PROJECTED, 15);
  });

  it('refuses-chat-sendMessage-and-sendMessageStream-before-sending', async () => {
    // A chat sends `[{ role: 'user', parts: [{ text: 'Say hello.' }] }]`: 3 request + 3 content
    // + "user" 2 + 3 part + 5 text = 16 input tokens: 16 x 0.3e-6 + 250e-6 = 254.8e-6 USD.
    const chat = ai.chats.create({ model: FLASH, config: { maxOutputTokens: 100 } });
    await withBudget(budget({ limitUsd: 0.0002 }), async () => {
      await expect(chat.sendMessage({ message: 'Say hello.' })).rejects.toMatchObject({
        projectedUsd: expect.closeTo(254.8e-6, 15),
      });
      await expect(chat.sendMessageStream({ message: 'Say hello.' })).rejects.toBeInstanceOf(BudgetExceededError);
    });
    expect(fake.requests).toHaveLength(0);
    expect(budgetStory(budgetSpan(tracing.spans())).exceeded).toEqual(['refused', 'refused']);
  });

  it('settles-to-the-exact-cost_usd: nothing stays reserved', async () => {
    let after: ReturnType<typeof currentBudget>;
    await withBudget(budget({ limitUsd: 0.001 }), async () => {
      await ai.models.generateContent(params());
      after = currentBudget();
    });
    expect(fake.requests).toHaveLength(1);
    const cost = callSpan()?.attributes[ATTR_COST_USD];
    expect(cost).toBeCloseTo(ACTUAL, 15);
    expect(after?.spentUsd).toBe(cost);
    expect(after?.reservedUsd).toBe(0);
    expect(budgetSpan(tracing.spans()).attributes[ATTR_BUDGET_SPENT_USD]).toBe(cost);
  });

  it('streaming-call-reserves-its-cap-until-the-stream-ends', async () => {
    let reservedWhileOpen: number | undefined;
    let after: ReturnType<typeof currentBudget>;
    await withBudget(budget({ limitUsd: 0.001 }), async () => {
      const stream = await ai.models.generateContentStream(params());
      reservedWhileOpen = currentBudget()?.reservedUsd;
      for await (const _chunk of stream) {
        // read to the end
      }
      after = currentBudget();
    });
    expect(reservedWhileOpen).toBeCloseTo(PROJECTED, 15);
    expect(after?.reservedUsd).toBe(0);
    expect(after?.spentUsd).toBe(callSpan()?.attributes[ATTR_COST_USD]);
    expect(after?.spentUsd).toBeCloseTo(ACTUAL, 15);
  });

  it('clamp-mode-lowers-maxOutputTokens-on-a-copy', async () => {
    // 200e-6 left; input 2.4e-6; (200e-6 - 2.4e-6) / 2.5e-6 = 79.04: maxOutputTokens 79.
    const request = params();
    await withBudget(budget({ limitUsd: 0.0002, clampOutput: true }), async () => {
      await ai.models.generateContent(request);
    });
    expect(fake.requests).toHaveLength(1);
    expect(fake.requests[0]?.body.generationConfig.maxOutputTokens).toBe(79);
    expect(request.config.maxOutputTokens).toBe(100);
    expect(budgetStory(budgetSpan(tracing.spans()))).toEqual({ status: 'ok', exceeded: [], warnings: [] });
  });

  it('warn-mode-lets-the-call-through-and-records-it', async () => {
    await withBudget(budget({ limitUsd: 0.0002, onExceed: 'warn' }), async () => {
      await ai.models.generateContent(params());
    });
    expect(fake.requests).toHaveLength(1);
    expect(callSpan()?.attributes[ATTR_COST_USD]).toBeCloseTo(ACTUAL, 15);
    expect(budgetStory(budgetSpan(tracing.spans()))).toEqual({
      status: 'exceeded',
      exceeded: ['allowed'],
      warnings: [],
    });
  });

  it('warnAt-crossing-is-recorded-once', async () => {
    // Limit 300e-6, warnAt 0.05 = 15e-6: the first call's 16.1e-6 crosses it, the second adds nothing new.
    await withBudget(budget({ limitUsd: 0.0003, warnAt: [0.05] }), async () => {
      await ai.models.generateContent(params());
      await ai.models.generateContent(params());
    });
    expect(fake.requests).toHaveLength(2);
    expect(budgetStory(budgetSpan(tracing.spans()))).toEqual({ status: 'warned', exceeded: [], warnings: [0.05] });
  });

  it('a-request-without-maxOutputTokens-reserves-the-default-cap', async () => {
    // 4096 output tokens assumed: 2.4e-6 + 4096 x 2.5e-6 = 10242.4e-6 > 0.01.
    await withBudget(budget({ limitUsd: 0.01 }), async () => {
      await expect(ai.models.generateContent({ model: FLASH, contents: 'Say hello.' })).rejects.toMatchObject({
        projectedUsd: expect.closeTo(10242.4e-6, 15),
      });
    });
    expect(fake.requests).toHaveLength(0);
  });

  it('embedContent-is-guarded-countTokens-is-not', async () => {
    // gemini-embedding-001, $0.15 per million input tokens: 8 x 0.15e-6 = 1.2e-6 > 1e-6; no output.
    await withBudget(budget({ limitUsd: 0.000001 }), async () => {
      await expect(
        ai.models.embedContent({ model: 'gemini-embedding-001', contents: 'Say hello.' }),
      ).rejects.toMatchObject({ projectedUsd: expect.closeTo(1.2e-6, 15) });
      const counted = await ai.models.countTokens({ model: FLASH, contents: 'Say hello.' });
      expect(counted.totalTokens).toBe(12);
    });
    expect(fake.requests.map((r) => r.rpc)).toEqual(['countTokens']);
  });

  it('unread-stream-keeps-its-projection: a stream never iterated is not settled at $0', async () => {
    tracing.instrumentation.setConfig({ unreadStreamTimeoutMs: 20 });
    let after: ReturnType<typeof currentBudget>;
    await withBudget(budget({ limitUsd: 0.001 }), async () => {
      await ai.models.generateContentStream(params());
      await spansEnded(tracing, 1);
      after = currentBudget();
    });
    expect(fake.requests).toHaveLength(1);
    expect(callSpan()?.attributes[ATTR_COST_USD]).toBeUndefined();
    // Billed by the server, by an amount nobody read: the worst case stays spent.
    expect(after?.spentUsd).toBeCloseTo(PROJECTED, 15);
    expect(after?.reservedUsd).toBe(0);
  });

  it('failed-call-releases-its-reservation: a 429 spends nothing', async () => {
    fake.reply({ error: { code: 429, status: 'RESOURCE_EXHAUSTED' } });
    let after: ReturnType<typeof currentBudget>;
    await withBudget(budget({ limitUsd: 0.001 }), async () => {
      await ai.models.generateContent(params()).catch(() => {});
      after = currentBudget();
    });
    expect(after).toMatchObject({ spentUsd: 0, reservedUsd: 0 });
  });
});

describe('a per-trace budget (no scope span) records its events on the call spans', () => {
  it('per-trace-refusal-is-an-event-on-the-refused-span', async () => {
    setTraceBudget({ limitUsd: 0.0002 });
    await expect(ai.models.generateContent(params())).rejects.toBeInstanceOf(BudgetExceededError);
    expect(fake.requests).toHaveLength(0);
    const call = callSpan();
    const events = call?.events.filter((e) => e.name === EVENT_BUDGET_EXCEEDED) ?? [];
    expect(events.map((e) => e.attributes?.[ATTR_BUDGET_ACTION])).toEqual(['refused']);
    expect(events[0]?.attributes?.[ATTR_BUDGET_PROJECTED_USD]).toBeCloseTo(PROJECTED, 15);
    expect(tracing.spans().map((s) => s.name)).toEqual([SPAN]);
  });

  it('per-trace-warning-is-an-event-on-the-span-that-crossed-it', async () => {
    setTraceBudget({ limitUsd: 0.0003, warnAt: [0.05] });
    await tracer.startActiveSpan('agent task', async (root) => {
      await ai.models.generateContent(params());
      await ai.models.generateContent(params());
      root.end();
    });
    const calls = tracing.spans().filter((s) => s.name === SPAN);
    expect(calls).toHaveLength(2);
    const warnings = calls.map((s) => s.events.filter((e) => e.name === EVENT_BUDGET_WARNING));
    // The first call's 16.1e-6 crosses 5% of 300e-6; the second crosses nothing new.
    expect(warnings.map((w) => w.length)).toEqual([1, 0]);
    expect(warnings[0]?.[0]?.attributes?.[ATTR_BUDGET_THRESHOLD]).toBe(0.05);
    expect(warnings[0]?.[0]?.attributes?.[ATTR_BUDGET_SPENT_USD]).toBe(calls[0]?.attributes[ATTR_COST_USD]);
  });

  it('per-trace-warn-mode-records-the-allowed-call-on-its-span', async () => {
    setTraceBudget({ limitUsd: 0.0002, onExceed: 'warn' });
    await ai.models.generateContent(params());
    expect(fake.requests).toHaveLength(1);
    const events = callSpan()?.events.filter((e) => e.name === EVENT_BUDGET_EXCEEDED) ?? [];
    expect(events.map((e) => e.attributes?.[ATTR_BUDGET_ACTION])).toEqual(['allowed']);
  });
});
