import {
  ATTR_BUDGET_PROJECTED_USD,
  ATTR_BUDGET_SPENT_USD,
  ATTR_COST_STATUS,
  ATTR_COST_USD,
  ATTR_ERROR_TYPE,
  BudgetExceededError,
  currentBudget,
  type WithBudgetOptions,
  withBudget,
} from '@agentburn/core';
import { SpanStatusCode } from '@opentelemetry/api';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type FakeOpenAIServer, startOpenAIServer } from '../../../test/fakes/openai-server';
import { budgetSpan, budgetStory, ensureContextManager } from '../../../test/helpers/budget';
import { requireOpenAI, setupHarness } from './harness';

ensureContextManager();
const h = setupHarness();
const { OpenAI } = requireOpenAI();
const tracer = h.provider.getTracer('budget-test');

let server: FakeOpenAIServer;
let client: InstanceType<typeof OpenAI>;

// gpt-4o-mini: $0.15 per million input tokens, $0.60 per million output tokens.
// The request below projects to 10 input tokens (o200k: 3 request + 3 message
// framing + "user" 1 + "Say hello." 3) and its 100-token cap:
//   10 x 0.15e-6 + 100 x 0.6e-6 = 1.5e-6 + 60e-6 = 61.5e-6 USD.
// The fake bills 12 input and 5 output tokens:
//   12 x 0.15e-6 + 5 x 0.6e-6 = 1.8e-6 + 3e-6 = 4.8e-6 USD.
const PROJECTED = 61.5e-6;
const ACTUAL = 4.8e-6;
const request = () => ({
  model: 'gpt-4o-mini',
  messages: [{ role: 'user' as const, content: 'Say hello.' }],
  max_completion_tokens: 100,
});
const budget = (options: Omit<WithBudgetOptions, 'tracer'>): WithBudgetOptions => ({ ...options, tracer });

beforeAll(async () => {
  server = await startOpenAIServer();
  client = new OpenAI({ baseURL: server.url, apiKey: 'sk-test-secret', maxRetries: 0 });
});
afterAll(async () => {
  h.instrumentation.disable();
  await server.close();
});
beforeEach(() => {
  server.reset();
  h.reset();
});

describe('openai calls under a budget', () => {
  it('refuses-before-sending: the fake sees zero requests and the SDK method rejects', async () => {
    let caught: unknown;
    await withBudget(budget({ limitUsd: 0.00005 }), async () => {
      await client.chat.completions.create(request()).catch((error: unknown) => {
        caught = error;
      });
    });
    expect(server.requests).toHaveLength(0);
    expect(caught).toBeInstanceOf(BudgetExceededError);
    const error = caught as BudgetExceededError;
    expect(error.code).toBe('AGENTBURN_BUDGET_EXCEEDED');
    expect(error.limitUsd).toBe(0.00005);
    expect(error.projectedUsd).toBeCloseTo(PROJECTED, 15);
    expect(error.spentUsd).toBe(0);
    expect(error.refused).toBe('chat gpt-4o-mini');

    const call = h.spans().find((s) => s.name === 'chat gpt-4o-mini');
    expect(call?.attributes[ATTR_ERROR_TYPE]).toBe('BudgetExceededError');
    expect(call?.status.code).toBe(SpanStatusCode.ERROR);
    expect(call?.attributes[ATTR_BUDGET_PROJECTED_USD]).toBeCloseTo(PROJECTED, 15);
    expect(call?.attributes[ATTR_COST_USD]).toBeUndefined();
    expect(call?.attributes[ATTR_COST_STATUS]).toBeUndefined();
    const scope = budgetSpan(h.spans());
    expect(budgetStory(scope)).toEqual({ status: 'exceeded', exceeded: ['refused'], warnings: [] });
    expect(call?.parentSpanContext?.spanId).toBe(scope.spanContext().spanId);
  });

  it('refusal-keeps-withResponse: the helpers chained on an APIPromise reject the same way', async () => {
    await withBudget(budget({ limitUsd: 0 }), async () => {
      await expect(client.chat.completions.create(request()).withResponse()).rejects.toBeInstanceOf(
        BudgetExceededError,
      );
      await expect(
        client.chat.completions.parse({ ...request(), response_format: { type: 'json_object' } }),
      ).rejects.toBeInstanceOf(BudgetExceededError);
    });
    expect(server.requests).toHaveLength(0);
  });

  it('settles-to-actual-cost: spent equals the cost_usd the processor wrote, nothing stays reserved', async () => {
    let during: ReturnType<typeof currentBudget>;
    let after: ReturnType<typeof currentBudget>;
    await withBudget(budget({ limitUsd: 0.001 }), async () => {
      const pending = client.chat.completions.create(request());
      during = currentBudget();
      await pending;
      after = currentBudget();
    });
    expect(server.requests).toHaveLength(1);
    expect(during?.reservedUsd).toBeCloseTo(PROJECTED, 15);
    const call = h.spans().find((s) => s.name === 'chat gpt-4o-mini');
    expect(call?.attributes[ATTR_COST_USD]).toBeCloseTo(ACTUAL, 15);
    expect(after).toEqual({
      name: 'task',
      limitUsd: 0.001,
      spentUsd: call?.attributes[ATTR_COST_USD],
      reservedUsd: 0,
      remainingUsd: 0.001 - (call?.attributes[ATTR_COST_USD] as number),
    });
    const scope = budgetSpan(h.spans());
    expect(scope.attributes[ATTR_BUDGET_SPENT_USD]).toBe(call?.attributes[ATTR_COST_USD]);
    expect(budgetStory(scope)).toEqual({ status: 'ok', exceeded: [], warnings: [] });
  });

  it('releases-reservation-of-an-unbilled-failure: a 500 spends nothing', async () => {
    server.reply({ error: { status: 500, message: 'boom', type: 'server_error' } });
    let after: ReturnType<typeof currentBudget>;
    await withBudget(budget({ limitUsd: 0.001 }), async () => {
      await client.chat.completions.create(request()).catch(() => {});
      after = currentBudget();
    });
    expect(server.requests).toHaveLength(1);
    expect(after?.spentUsd).toBe(0);
    expect(after?.reservedUsd).toBe(0);
  });

  it('ten-parallel-calls-under-a-limit-that-fits-three-send-three', async () => {
    // 3 x 61.5e-6 = 184.5e-6 fits under 200e-6; a fourth reservation (246e-6) does not.
    let results: PromiseSettledResult<unknown>[] = [];
    await withBudget(budget({ limitUsd: 0.0002 }), async () => {
      results = await Promise.allSettled(Array.from({ length: 10 }, () => client.chat.completions.create(request())));
    });
    expect(server.requests).toHaveLength(3);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(3);
    const refused = results.filter((r) => r.status === 'rejected');
    expect(refused).toHaveLength(7);
    for (const r of refused) expect((r as PromiseRejectedResult).reason).toBeInstanceOf(BudgetExceededError);
    expect(h.spans().filter((s) => s.name === 'chat gpt-4o-mini')).toHaveLength(10);
  });

  it('nested-scopes: the outer limit refuses a call the inner one would allow, and inner spend counts outside', async () => {
    let caught: unknown;
    let outerAfter: ReturnType<typeof currentBudget>;
    await withBudget(budget({ limitUsd: 0.00007, name: 'outer' }), async () => {
      await withBudget(budget({ limitUsd: 1, name: 'inner' }), async () => {
        await client.chat.completions.create(request());
        // Outer: 4.8e-6 spent + 61.5e-6 projected = 66.3e-6 fits under 70e-6.
        await client.chat.completions.create(request());
        // Outer: 9.6e-6 + 61.5e-6 = 71.1e-6 > 70e-6: refused by the outer scope.
        await client.chat.completions.create(request()).catch((error: unknown) => {
          caught = error;
        });
      });
      outerAfter = currentBudget();
    });
    expect(server.requests).toHaveLength(2);
    expect((caught as BudgetExceededError).budgetName).toBe('outer');
    expect(outerAfter?.name).toBe('outer');
    expect(outerAfter?.spentUsd).toBeCloseTo(2 * ACTUAL, 15);
    expect(budgetStory(budgetSpan(h.spans(), 'outer')).exceeded).toEqual(['refused']);
    expect(budgetStory(budgetSpan(h.spans(), 'inner'))).toEqual({ status: 'ok', exceeded: [], warnings: [] });
    expect(budgetSpan(h.spans(), 'inner').parentSpanContext?.spanId).toBe(
      budgetSpan(h.spans(), 'outer').spanContext().spanId,
    );
  });

  it('warn-crossings-are-recorded-once-each', async () => {
    // Cap 5: projected 1.5e-6 + 3e-6 = 4.5e-6. Limit 10e-6, warnAt 0.25 and 0.4.
    // Call 1 spends 4.8e-6 = 48%: both fractions crossed. Call 2 (4.8e-6 + 4.5e-6 fits)
    // brings 9.6e-6 = 96%: no new fraction, nothing recorded again.
    await withBudget(budget({ limitUsd: 0.00001, warnAt: [0.4, 0.25] }), async () => {
      await client.chat.completions.create({ ...request(), max_completion_tokens: 5 });
      await client.chat.completions.create({ ...request(), max_completion_tokens: 5 });
    });
    expect(server.requests).toHaveLength(2);
    expect(budgetStory(budgetSpan(h.spans()))).toEqual({ status: 'warned', exceeded: [], warnings: [0.25, 0.4] });
  });

  it('warn-mode-lets-the-call-through-and-records-it', async () => {
    await withBudget(budget({ limitUsd: 0.00005, onExceed: 'warn' }), async () => {
      await client.chat.completions.create(request());
    });
    expect(server.requests).toHaveLength(1);
    const call = h.spans().find((s) => s.name === 'chat gpt-4o-mini');
    expect(call?.attributes[ATTR_COST_USD]).toBeCloseTo(ACTUAL, 15);
    expect(call?.attributes[ATTR_BUDGET_PROJECTED_USD]).toBeUndefined();
    expect(budgetStory(budgetSpan(h.spans()))).toEqual({ status: 'exceeded', exceeded: ['allowed'], warnings: [] });
  });

  it('clamp-mode-lowers-the-cap-on-a-copy: the caller object keeps its cap', async () => {
    // 50e-6 left; input 1.5e-6; (50e-6 - 1.5e-6) / 0.6e-6 = 80.8: cap 80, worst case 1.5e-6 + 48e-6 = 49.5e-6.
    const body = request();
    await withBudget(budget({ limitUsd: 0.00005, clampOutput: true }), async () => {
      await client.chat.completions.create(body);
    });
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]?.body.max_completion_tokens).toBe(80);
    expect(body.max_completion_tokens).toBe(100);
    expect(budgetStory(budgetSpan(h.spans()))).toEqual({ status: 'ok', exceeded: [], warnings: [] });
  });

  it('clamp-mode-refuses-when-not-even-a-small-answer-fits', async () => {
    // 30e-6 left: (30e-6 - 1.5e-6) / 0.6e-6 = 47.5 tokens, under the 64-token floor.
    await withBudget(budget({ limitUsd: 0.00003, clampOutput: true }), async () => {
      await expect(client.chat.completions.create(request())).rejects.toBeInstanceOf(BudgetExceededError);
    });
    expect(server.requests).toHaveLength(0);
  });

  it('streaming-call-reserves-its-cap-until-the-stream-ends', async () => {
    let reservedWhileOpen: number | undefined;
    let after: ReturnType<typeof currentBudget>;
    await withBudget(budget({ limitUsd: 0.001 }), async () => {
      const stream = await client.chat.completions.create({ ...request(), stream: true });
      reservedWhileOpen = currentBudget()?.reservedUsd;
      for await (const _chunk of stream) {
        // read to the end
      }
      after = currentBudget();
    });
    expect(reservedWhileOpen).toBeCloseTo(PROJECTED, 15);
    expect(after?.reservedUsd).toBe(0);
    expect(after?.spentUsd).toBeCloseTo(ACTUAL, 15);
  });

  it('a-request-without-a-cap-reserves-the-default-cap', async () => {
    // No cap: 4096 output tokens assumed: 1.5e-6 + 4096 x 0.6e-6 = 2459.1e-6 > 2000e-6.
    const { max_completion_tokens: _cap, ...uncapped } = request();
    await withBudget(budget({ limitUsd: 0.002 }), async () => {
      await expect(client.chat.completions.create(uncapped)).rejects.toMatchObject({
        projectedUsd: expect.closeTo(2459.1e-6, 15),
      });
    });
    expect(server.requests).toHaveLength(0);
  });

  it('responses-and-embeddings-are-guarded-too', async () => {
    await withBudget(budget({ limitUsd: 0 }), async () => {
      await expect(
        client.responses.create({ model: 'gpt-4o-mini', input: 'Say hello.', max_output_tokens: 16 }),
      ).rejects.toBeInstanceOf(BudgetExceededError);
      await expect(
        client.embeddings.create({ model: 'text-embedding-3-small', input: 'Say hello.' }),
      ).rejects.toBeInstanceOf(BudgetExceededError);
    });
    expect(server.requests).toHaveLength(0);
  });

  it('unpriced-model-is-allowed-by-default-and-refused-when-asked', async () => {
    await withBudget(budget({ limitUsd: 0.00001 }), async () => {
      await client.chat.completions.create({ ...request(), model: 'house-model-7' });
    });
    expect(server.requests).toHaveLength(1);
    await withBudget(budget({ limitUsd: 1, unpricedModels: 'refuse' }), async () => {
      await expect(client.chat.completions.create({ ...request(), model: 'house-model-7' })).rejects.toBeInstanceOf(
        BudgetExceededError,
      );
    });
    expect(server.requests).toHaveLength(1);
  });

  it('unread-response-keeps-its-projection: a promise nobody awaits is not settled at $0', async () => {
    h.instrumentation.setConfig({ unreadStreamTimeoutMs: 20 });
    let after: ReturnType<typeof currentBudget>;
    try {
      await withBudget(budget({ limitUsd: 0.001 }), async () => {
        void client.chat.completions.create(request());
        await h.ended(1);
        after = currentBudget();
      });
    } finally {
      h.instrumentation.setConfig({});
    }
    expect(server.requests).toHaveLength(1);
    expect(h.spans().find((s) => s.name === 'chat gpt-4o-mini')?.attributes[ATTR_COST_USD]).toBeUndefined();
    // Sent and billed, by an amount nobody read: the worst case stays spent.
    expect(after?.spentUsd).toBeCloseTo(PROJECTED, 15);
    expect(after?.reservedUsd).toBe(0);
  });

  it('no-budget-no-change: the body goes out as given and the span carries no budget attribute', async () => {
    const body = request();
    await client.chat.completions.create(body);
    expect(server.requests[0]?.body).toEqual(body);
    const call = h.spans().find((s) => s.name === 'chat gpt-4o-mini');
    expect(call?.attributes[ATTR_BUDGET_PROJECTED_USD]).toBeUndefined();
    expect(call?.attributes[ATTR_COST_USD]).toBeCloseTo(ACTUAL, 15);
    expect(currentBudget()).toBeUndefined();
  });
});
