import { Readable } from 'node:stream';
import {
  ATTR_BUDGET_PROJECTED_USD,
  ATTR_COST_USD,
  ATTR_ERROR_TYPE,
  BudgetExceededError,
  currentBudget,
  type WithBudgetOptions,
  withBudget,
} from '@agentburn/core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type FakeBedrockServer, invokeStreamEvents, startBedrockServer } from '../../../test/fakes/bedrock-server';
import { budgetSpan, budgetStory, ensureContextManager } from '../../../test/helpers/budget';
import { recordDiagMessages } from '../../../test/helpers/fake-package';
import { fakeClientOptions, requireSdk, setupTracing, spansEnded } from './helpers';

ensureContextManager();
// What the budget says on the diag logger, to count it.
const messages = recordDiagMessages();
const tracing = setupTracing();
const {
  BedrockRuntimeClient,
  ConverseCommand,
  ConverseStreamCommand,
  InvokeModelCommand,
  InvokeModelWithResponseStreamCommand,
} = requireSdk();
const tracer = tracing.provider.getTracer('budget-test');

// @pydantic/genai-prices, USD per million tokens:
//   claude-3-7-sonnet (us. profile): input 3, output 15
//   amazon.nova-pro-v1:0: input 0.8, output 3.2
//   meta.llama3-3-70b-instruct-v1:0: input 0.72, output 0.72
//   amazon.titan-text-express-v1: input 0.2, output 0.6
//   amazon.titan-embed-text-v2:0: input 0.1
// Their tokenizers are not public: text is bounded at one token per two UTF-8
// bytes ("Say hello." 5, "user" 2), plus 3 per request and 3 per JSON object.
const CLAUDE = 'us.anthropic.claude-3-7-sonnet-20250219-v1:0';
const NOVA = 'us.amazon.nova-pro-v1:0';
const LLAMA = 'us.meta.llama3-3-70b-instruct-v1:0';
const TITAN = 'amazon.titan-text-express-v1';
const SPAN = `chat ${CLAUDE}`;

// Converse `messages: [{ role: 'user', content: [{ text: 'Say hello.' }] }]`:
// 3 request + 3 message + 2 role + 3 block + 5 text = 16 input tokens, cap 100:
//   16 x 3e-6 + 100 x 15e-6 = 48e-6 + 1500e-6 = 1548e-6 USD.
// The fake bills 12 input and 5 output tokens: 36e-6 + 75e-6 = 111e-6 USD.
const CONVERSE_PROJECTED = 1548e-6;
const CONVERSE_ACTUAL = 111e-6;
const converseInput = () => ({
  modelId: CLAUDE,
  messages: [{ role: 'user', content: [{ text: 'Say hello.' }] }],
  inferenceConfig: { maxTokens: 100 },
});
const bytes = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
const budget = (options: Omit<WithBudgetOptions, 'tracer'>): WithBudgetOptions => ({ ...options, tracer });

let fake: FakeBedrockServer;
let client: any;

beforeAll(async () => {
  fake = await startBedrockServer();
  client = new BedrockRuntimeClient(fakeClientOptions(fake.url));
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

const spanNamed = (name: string) => tracing.spans().find((s) => s.name === name);

describe('converse under a budget', () => {
  it('refuses-converse-before-sending: the fake sees zero requests, the span stays', async () => {
    let caught: unknown;
    await withBudget(budget({ limitUsd: 0.0015 }), async () => {
      caught = await client.send(new ConverseCommand(converseInput())).catch((error: unknown) => error);
    });
    expect(fake.requests).toHaveLength(0);
    expect(caught).toBeInstanceOf(BudgetExceededError);
    expect((caught as BudgetExceededError).projectedUsd).toBeCloseTo(CONVERSE_PROJECTED, 15);
    const call = spanNamed(SPAN);
    expect(call?.attributes[ATTR_ERROR_TYPE]).toBe('BudgetExceededError');
    expect(call?.attributes[ATTR_BUDGET_PROJECTED_USD]).toBeCloseTo(CONVERSE_PROJECTED, 15);
    expect(call?.attributes[ATTR_COST_USD]).toBeUndefined();
    expect(budgetStory(budgetSpan(tracing.spans()))).toEqual({
      status: 'exceeded',
      exceeded: ['refused'],
      warnings: [],
    });
  });

  it('refuses-converse-stream-before-sending', async () => {
    await withBudget(budget({ limitUsd: 0.0015 }), async () => {
      await expect(client.send(new ConverseStreamCommand(converseInput()))).rejects.toBeInstanceOf(BudgetExceededError);
    });
    expect(fake.requests).toHaveLength(0);
  });

  it('refuses-the-callback-form: the callback gets the budget error', async () => {
    const error = await withBudget(budget({ limitUsd: 0.0015 }), () => {
      return new Promise((resolve) => {
        client.send(new ConverseCommand(converseInput()), (err: unknown) => resolve(err));
      });
    });
    expect(error).toBeInstanceOf(BudgetExceededError);
    expect(fake.requests).toHaveLength(0);
  });

  it('refused-callback-that-throws-is-swallowed-as-the-sdk-swallows-it: no unhandled rejection', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const seen = await withBudget(budget({ limitUsd: 0.0015 }), () => {
        return new Promise((resolve) => {
          client.send(new ConverseCommand(converseInput()), (err: unknown) => {
            resolve(err);
            throw new Error('thrown by the caller');
          });
        });
      });
      expect(seen).toBeInstanceOf(BudgetExceededError);
      for (let i = 0; i < 10; i++) await new Promise((resolve) => setImmediate(resolve));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('settles-to-the-exact-cost_usd: nothing stays reserved', async () => {
    let during: ReturnType<typeof currentBudget>;
    let after: ReturnType<typeof currentBudget>;
    await withBudget(budget({ limitUsd: 0.01 }), async () => {
      const pending = client.send(new ConverseCommand(converseInput()));
      during = currentBudget();
      await pending;
      after = currentBudget();
    });
    expect(fake.requests).toHaveLength(1);
    expect(during?.reservedUsd).toBeCloseTo(CONVERSE_PROJECTED, 15);
    const cost = spanNamed(SPAN)?.attributes[ATTR_COST_USD];
    expect(cost).toBeCloseTo(CONVERSE_ACTUAL, 15);
    expect(after?.spentUsd).toBe(cost);
    expect(after?.reservedUsd).toBe(0);
  });

  it('converse-stream-reserves-its-cap-until-the-stream-ends', async () => {
    let reservedWhileOpen: number | undefined;
    let after: ReturnType<typeof currentBudget>;
    await withBudget(budget({ limitUsd: 0.01 }), async () => {
      const output = await client.send(new ConverseStreamCommand(converseInput()));
      reservedWhileOpen = currentBudget()?.reservedUsd;
      for await (const _event of output.stream) {
        // read to the end
      }
      after = currentBudget();
    });
    expect(reservedWhileOpen).toBeCloseTo(CONVERSE_PROJECTED, 15);
    expect(after?.reservedUsd).toBe(0);
    expect(after?.spentUsd).toBe(spanNamed(SPAN)?.attributes[ATTR_COST_USD]);
    expect(after?.spentUsd).toBeCloseTo(CONVERSE_ACTUAL, 15);
  });

  it('unread-converse-stream-keeps-its-projection: a stream never iterated is not settled at $0', async () => {
    tracing.instrumentation.setConfig({ unreadStreamTimeoutMs: 20 });
    let after: ReturnType<typeof currentBudget>;
    await withBudget(budget({ limitUsd: 0.01 }), async () => {
      await client.send(new ConverseStreamCommand(converseInput()));
      await spansEnded(tracing, 1);
      after = currentBudget();
    });
    expect(fake.requests).toHaveLength(1);
    expect(spanNamed(SPAN)?.attributes[ATTR_COST_USD]).toBeUndefined();
    expect(after?.spentUsd).toBeCloseTo(CONVERSE_PROJECTED, 15);
    expect(after?.reservedUsd).toBe(0);
  });

  it('converse-stream-failing-partway-keeps-its-projection: a stream cut before its usage is not settled at $0', async () => {
    fake.reply({
      events: [
        { event: 'messageStart', data: { role: 'assistant' } },
        { event: 'contentBlockDelta', data: { contentBlockIndex: 0, delta: { text: 'Hel' } } },
        { exception: 'modelStreamErrorException', message: 'The model stopped mid-answer.' },
      ],
    });
    let caught: unknown;
    let after: ReturnType<typeof currentBudget>;
    await withBudget(budget({ limitUsd: 0.01 }), async () => {
      const output = await client.send(new ConverseStreamCommand(converseInput()));
      try {
        for await (const _event of output.stream) {
          // read until it fails
        }
      } catch (error) {
        caught = error;
      }
      after = currentBudget();
    });
    expect(fake.requests).toHaveLength(1);
    expect(caught).toMatchObject({ name: 'ModelStreamErrorException' });
    await spansEnded(tracing, 2);
    const call = spanNamed(SPAN);
    expect(call?.attributes[ATTR_ERROR_TYPE]).toBe('ModelStreamErrorException');
    expect(call?.attributes[ATTR_COST_USD]).toBeUndefined();
    // Sent and answered in part, its usage never came: billed by an amount nobody reported, so the worst case.
    expect(after?.spentUsd).toBeCloseTo(CONVERSE_PROJECTED, 15);
    expect(after?.reservedUsd).toBe(0);
  });

  it('clamp-mode-lowers-maxTokens-in-a-copy: the command and its input are not mutated', async () => {
    // 1200e-6 left; input 48e-6; (1200e-6 - 48e-6) / 15e-6 = 76.8: maxTokens 76.
    const input = converseInput();
    const command = new ConverseCommand(input);
    await withBudget(budget({ limitUsd: 0.0012, clampOutput: true }), async () => {
      await client.send(command);
    });
    expect(fake.requests).toHaveLength(1);
    expect(fake.requests[0]?.body.inferenceConfig.maxTokens).toBe(76);
    expect(command.input).toBe(input);
    expect(input.inferenceConfig.maxTokens).toBe(100);
    expect(budgetStory(budgetSpan(tracing.spans()))).toEqual({ status: 'ok', exceeded: [], warnings: [] });
  });

  it('clamped-command-keeps-the-callers-middleware', async () => {
    const command = new ConverseCommand(converseInput());
    const seen: unknown[] = [];
    command.middlewareStack.add(
      (next: (args: unknown) => unknown) => (args: { input: unknown }) => {
        seen.push(args.input);
        return next(args);
      },
      { step: 'initialize', name: 'callerMiddleware' },
    );
    await withBudget(budget({ limitUsd: 0.0012, clampOutput: true }), async () => {
      await client.send(command);
    });
    expect(seen).toHaveLength(1);
    expect((seen[0] as { inferenceConfig: { maxTokens: number } }).inferenceConfig.maxTokens).toBe(76);
    // The caller's own stack gained nothing from the send of the copy.
    expect(
      command.middlewareStack.identify().filter((name: string) => name.startsWith('callerMiddleware')),
    ).toHaveLength(1);
  });

  it('warn-mode-lets-the-call-through-and-records-it', async () => {
    await withBudget(budget({ limitUsd: 0.0015, onExceed: 'warn' }), async () => {
      await client.send(new ConverseCommand(converseInput()));
    });
    expect(fake.requests).toHaveLength(1);
    expect(spanNamed(SPAN)?.attributes[ATTR_COST_USD]).toBeCloseTo(CONVERSE_ACTUAL, 15);
    expect(budgetStory(budgetSpan(tracing.spans()))).toEqual({
      status: 'exceeded',
      exceeded: ['allowed'],
      warnings: [],
    });
  });

  it('warnAt-crossing-is-recorded-once', async () => {
    // Limit 2000e-6, warnAt 0.05 = 100e-6: the first call's 111e-6 crosses it; the second adds nothing new.
    await withBudget(budget({ limitUsd: 0.002, warnAt: [0.05] }), async () => {
      await client.send(new ConverseCommand(converseInput()));
      await client.send(new ConverseCommand(converseInput()));
    });
    expect(fake.requests).toHaveLength(2);
    expect(budgetStory(budgetSpan(tracing.spans()))).toEqual({ status: 'warned', exceeded: [], warnings: [0.05] });
  });
});

describe('invoke model under a budget, per payload family', () => {
  it('anthropic-body-projects-max_tokens-and-clamps-a-copy-of-the-bytes', async () => {
    // messages: 3 request + 3 message + 2 role + 5 text = 13 tokens: 13 x 3e-6 + 100 x 15e-6 = 1539e-6.
    const body = bytes({
      anthropic_version: 'bedrock-2023-05-31',
      max_tokens: 100,
      messages: [{ role: 'user', content: 'Say hello.' }],
    });
    const sent = new Uint8Array(body);
    await withBudget(budget({ limitUsd: 0.0015 }), async () => {
      await expect(client.send(new InvokeModelCommand({ modelId: CLAUDE, body }))).rejects.toMatchObject({
        projectedUsd: expect.closeTo(1539e-6, 15),
      });
    });
    expect(fake.requests).toHaveLength(0);
    // 1200e-6 left: (1200e-6 - 39e-6) / 15e-6 = 77.4: max_tokens 77.
    fake.reply({ json: { id: 'msg_1', usage: { input_tokens: 12, output_tokens: 5 }, stop_reason: 'end_turn' } });
    await withBudget(budget({ limitUsd: 0.0012, clampOutput: true }), async () => {
      await client.send(new InvokeModelCommand({ modelId: CLAUDE, body }));
    });
    expect(fake.requests[0]?.body.max_tokens).toBe(77);
    expect(body).toEqual(sent);
  });

  it('nova-body-projects-inferenceConfig.max_new_tokens', async () => {
    // 16 tokens (as Converse) x 0.8e-6 + 100 x 3.2e-6 = 12.8e-6 + 320e-6 = 332.8e-6;
    // clamped under 300e-6: (300e-6 - 12.8e-6) / 3.2e-6 = 89.75: 89.
    const body = JSON.stringify({
      schemaVersion: 'messages-v1',
      messages: [{ role: 'user', content: [{ text: 'Say hello.' }] }],
      inferenceConfig: { max_new_tokens: 100 },
    });
    await withBudget(budget({ limitUsd: 0.0003 }), async () => {
      await expect(client.send(new InvokeModelCommand({ modelId: NOVA, body }))).rejects.toMatchObject({
        projectedUsd: expect.closeTo(332.8e-6, 15),
      });
    });
    fake.reply({ json: { output: {}, stopReason: 'end_turn', usage: { inputTokens: 12, outputTokens: 5 } } });
    const input = { modelId: NOVA, body };
    await withBudget(budget({ limitUsd: 0.0003, clampOutput: true }), async () => {
      await client.send(new InvokeModelCommand(input));
    });
    expect(fake.requests).toHaveLength(1);
    expect(fake.requests[0]?.body.inferenceConfig.max_new_tokens).toBe(89);
    expect(input.body).toBe(body);
  });

  it('meta-body-projects-max_gen_len', async () => {
    // prompt: 3 + 5 = 8 tokens: 8 x 0.72e-6 + 100 x 0.72e-6 = 77.76e-6;
    // clamped under 60e-6: (60e-6 - 5.76e-6) / 0.72e-6 = 75.3: 75.
    const body = bytes({ prompt: 'Say hello.', max_gen_len: 100 });
    await withBudget(budget({ limitUsd: 0.00006 }), async () => {
      await expect(client.send(new InvokeModelCommand({ modelId: LLAMA, body }))).rejects.toMatchObject({
        projectedUsd: expect.closeTo(77.76e-6, 15),
      });
    });
    fake.reply({ json: { generation: 'Hi', prompt_token_count: 12, generation_token_count: 5, stop_reason: 'stop' } });
    await withBudget(budget({ limitUsd: 0.00006, clampOutput: true }), async () => {
      await client.send(new InvokeModelCommand({ modelId: LLAMA, body }));
    });
    expect(fake.requests.map((r) => r.body.max_gen_len)).toEqual([75]);
  });

  it('titan-body-projects-textGenerationConfig.maxTokenCount', async () => {
    // inputText: 3 + 5 = 8 tokens: 8 x 0.2e-6 + 100 x 0.6e-6 = 61.6e-6;
    // clamped under 50e-6: (50e-6 - 1.6e-6) / 0.6e-6 = 80.7: 80.
    const body = bytes({ inputText: 'Say hello.', textGenerationConfig: { maxTokenCount: 100 } });
    await withBudget(budget({ limitUsd: 0.00005 }), async () => {
      await expect(client.send(new InvokeModelCommand({ modelId: TITAN, body }))).rejects.toMatchObject({
        projectedUsd: expect.closeTo(61.6e-6, 15),
      });
    });
    fake.reply({ json: { inputTextTokenCount: 12, results: [{ tokenCount: 5, completionReason: 'FINISH' }] } });
    await withBudget(budget({ limitUsd: 0.00005, clampOutput: true }), async () => {
      await client.send(new InvokeModelCommand({ modelId: TITAN, body }));
    });
    expect(fake.requests.map((r) => r.body.textGenerationConfig.maxTokenCount)).toEqual([80]);
  });

  it('embedding-model-projects-input-only', async () => {
    // 8 tokens x 0.1e-6 = 0.8e-6 > 0.5e-6; no output cap.
    await withBudget(budget({ limitUsd: 0.0000005 }), async () => {
      await expect(
        client.send(
          new InvokeModelCommand({ modelId: 'amazon.titan-embed-text-v2:0', body: bytes({ inputText: 'Say hello.' }) }),
        ),
      ).rejects.toMatchObject({ projectedUsd: expect.closeTo(0.8e-6, 15) });
    });
    expect(fake.requests).toHaveLength(0);
  });

  it('non-json-body-is-bounded-by-size-and-refused-not-clamped', async () => {
    // 10 raw bytes: 3 request + ceil(10 / 2) = 8 tokens, and the default cap of 4096:
    //   8 x 3e-6 + 4096 x 15e-6 = 24e-6 + 61440e-6 = 61464e-6 > 0.01; nothing to clamp in.
    const body = new TextEncoder().encode('Say hello.');
    await withBudget(budget({ limitUsd: 0.01, clampOutput: true }), async () => {
      await expect(client.send(new InvokeModelCommand({ modelId: CLAUDE, body }))).rejects.toMatchObject({
        projectedUsd: expect.closeTo(61464e-6, 15),
      });
    });
    expect(fake.requests).toHaveLength(0);
  });

  it('arraybuffer-body-is-read-like-the-same-bytes: its json projected, else bounded by its size', async () => {
    // The SDK takes an ArrayBuffer body as it takes a Uint8Array: the same projections as the two tests above.
    const json = bytes({
      anthropic_version: 'bedrock-2023-05-31',
      max_tokens: 100,
      messages: [{ role: 'user', content: 'Say hello.' }],
    });
    const raw = new TextEncoder().encode('Say hello.');
    await withBudget(budget({ limitUsd: 0.0015 }), async () => {
      await expect(
        client.send(new InvokeModelCommand({ modelId: CLAUDE, body: json.slice().buffer })),
      ).rejects.toMatchObject({ projectedUsd: expect.closeTo(1539e-6, 15) });
    });
    await withBudget(budget({ limitUsd: 0.01 }), async () => {
      await expect(
        client.send(new InvokeModelCommand({ modelId: CLAUDE, body: raw.slice().buffer })),
      ).rejects.toMatchObject({ projectedUsd: expect.closeTo(61464e-6, 15) });
    });
    expect(fake.requests).toHaveLength(0);
  });

  it('blob-body-is-bounded-by-its-size: a large blob is not projected as almost nothing', async () => {
    // 200,000 bytes: 3 request + 100,000 = 100,003 tokens, and the default cap of 4096 (a Blob is never read, so
    // its JSON, if any, is not): 100,003 x 3e-6 + 4096 x 15e-6 = 300,009e-6 + 61,440e-6 = 361,449e-6 > 0.1.
    const body = new Blob(['x'.repeat(200_000)]);
    await withBudget(budget({ limitUsd: 0.1 }), async () => {
      await expect(client.send(new InvokeModelCommand({ modelId: CLAUDE, body }))).rejects.toMatchObject({
        projectedUsd: expect.closeTo(361_449e-6, 15),
      });
    });
    expect(fake.requests).toHaveLength(0);
    await spansEnded(tracing, 2);
    expect(spanNamed(SPAN)?.attributes[ATTR_BUDGET_PROJECTED_USD]).toBeCloseTo(361_449e-6, 15);
  });

  it('stream-body-is-never-read-and-is-refused-under-unpricedModels-refuse', async () => {
    // Its size is unknown, so its worst case is: the policy for what cannot be projected refuses it. Only the
    // request framing and the default cap are known: 3 x 3e-6 + 4096 x 15e-6 = 61,449e-6.
    const json = JSON.stringify({
      anthropic_version: 'bedrock-2023-05-31',
      max_tokens: 100,
      messages: [{ role: 'user', content: 'Say hello.' }],
    });
    const readable = Readable.from([Buffer.from(json)]);
    const webStream = new Blob([json]).stream();
    const said = messages.length;
    await withBudget(budget({ limitUsd: 1, unpricedModels: 'refuse' }), async () => {
      for (const body of [readable, webStream]) {
        await expect(client.send(new InvokeModelCommand({ modelId: CLAUDE, body }))).rejects.toMatchObject({
          projectedUsd: expect.closeTo(61_449e-6, 15),
        });
      }
    });
    expect(fake.requests).toHaveLength(0);
    expect((await spansEnded(tracing, 3)).filter((s) => s.name === SPAN)).toHaveLength(2);
    // Neither stream was touched: the caller can still read all of it.
    expect(readable.readableFlowing).toBeNull();
    expect(webStream.locked).toBe(false);
    expect(Buffer.concat(await readable.toArray()).toString()).toBe(json);
    expect(await new Response(webStream).text()).toBe(json);
    expect(messages.slice(said)).toEqual([
      'agentburn budget: a request given as a stream cannot be measured before it is sent (reading it would consume it); such calls are refused (option unpricedModels)',
    ]);
  });

  it('stream-body-is-sent-unread-and-counts-what-it-spends: said once for two calls', async () => {
    const json = JSON.stringify({
      anthropic_version: 'bedrock-2023-05-31',
      max_tokens: 100,
      messages: [{ role: 'user', content: 'Say hello.' }],
    });
    // Two answers, two response ids: one id twice in a trace is one response, priced once.
    for (const id of ['msg_1', 'msg_2']) {
      fake.reply({ json: { id, usage: { input_tokens: 12, output_tokens: 5 }, stop_reason: 'end_turn' } });
    }
    const said = messages.length;
    let after: ReturnType<typeof currentBudget>;
    await withBudget(budget({ limitUsd: 1 }), async () => {
      for (let i = 0; i < 2; i++) {
        await client.send(new InvokeModelCommand({ modelId: CLAUDE, body: Readable.from([Buffer.from(json)]) }));
      }
      after = currentBudget();
    });
    // The SDK sent both streams whole.
    expect(fake.requests.map((r) => r.body)).toEqual([JSON.parse(json), JSON.parse(json)]);
    // Each: 12 x 3e-6 + 5 x 15e-6 = 111e-6.
    expect(after?.spentUsd).toBeCloseTo(222e-6, 15);
    expect(after?.reservedUsd).toBe(0);
    // Two calls and the scope's span, exported.
    const calls = (await spansEnded(tracing, 3)).filter((s) => s.name === SPAN);
    expect(calls.map((s) => s.attributes[ATTR_COST_USD])).toEqual([111e-6, 111e-6]);
    expect(messages.slice(said)).toEqual([
      'agentburn budget: a request given as a stream cannot be measured before it is sent (reading it would consume it); such calls are let through with only their output cap projected, and count what they spend when they end (option unpricedModels)',
    ]);
  });

  it('invoke-with-response-stream-is-refused-and-reserves-until-the-stream-ends', async () => {
    const body = bytes({
      anthropic_version: 'bedrock-2023-05-31',
      max_tokens: 100,
      messages: [{ role: 'user', content: 'Say hello.' }],
    });
    await withBudget(budget({ limitUsd: 0.0015 }), async () => {
      await expect(
        client.send(new InvokeModelWithResponseStreamCommand({ modelId: CLAUDE, body })),
      ).rejects.toBeInstanceOf(BudgetExceededError);
    });
    expect(fake.requests).toHaveLength(0);
    fake.reply({
      events: invokeStreamEvents([
        { type: 'message_start', message: { id: 'msg_2', usage: { input_tokens: 12, output_tokens: 1 } } },
        { type: 'message_delta', delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 5 } },
        { type: 'message_stop', 'amazon-bedrock-invocationMetrics': { inputTokenCount: 12, outputTokenCount: 5 } },
      ]),
    });
    let reservedWhileOpen: number | undefined;
    let after: ReturnType<typeof currentBudget>;
    await withBudget(budget({ limitUsd: 0.01 }), async () => {
      const output = await client.send(new InvokeModelWithResponseStreamCommand({ modelId: CLAUDE, body }));
      reservedWhileOpen = currentBudget()?.reservedUsd;
      for await (const _event of output.body) {
        // read to the end
      }
      after = currentBudget();
    });
    expect(reservedWhileOpen).toBeCloseTo(1539e-6, 15);
    // 12 x 3e-6 + 5 x 15e-6 = 111e-6
    expect(after?.spentUsd).toBeCloseTo(111e-6, 15);
    expect(after?.reservedUsd).toBe(0);
  });
});
