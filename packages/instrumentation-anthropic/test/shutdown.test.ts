import type { Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  anthropicMessage,
  anthropicStreamEvents,
  type FakeAnthropicServer,
  startAnthropicServer,
} from '../../../test/fakes/anthropic-server';
import { inMemoryCostTracing } from '../../../test/helpers/tracing';
import { AnthropicInstrumentation } from '../src';
import { requireSdk } from './helpers';

/** Keeps every span handed to the processors, also across the provider's shutdown. */
class Kept implements SpanProcessor {
  readonly spans: ReadableSpan[] = [];
  onStart(_span: Span, _context: Context): void {}
  onEnd(span: ReadableSpan): void {
    this.spans.push(span);
  }
  forceFlush(): Promise<void> {
    return Promise.resolve();
  }
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

const kept = new Kept();
const { provider } = inMemoryCostTracing([kept]);
// No stall or unread bound: only the shutdown can end the span.
const instrumentation = new AnthropicInstrumentation({ stalledStreamTimeoutMs: 0, unreadStreamTimeoutMs: 0 });
instrumentation.setTracerProvider(provider);
instrumentation.enable();
const { Anthropic } = requireSdk();

let fake: FakeAnthropicServer;
beforeAll(async () => {
  fake = await startAnthropicServer();
});
afterAll(async () => {
  instrumentation.disable();
  await fake.close();
});

it('ends-stalled-stream-span-at-provider-shutdown', async () => {
  const client = new Anthropic({ apiKey: 'sk-test-key', baseURL: fake.url, maxRetries: 0 });
  const message = anthropicMessage({
    id: 'msg_stalled',
    model: 'claude-sonnet-4-6',
    text: 'Hi',
    usage: { input_tokens: 1000, output_tokens: 20 },
  });
  fake.reply({ sse: anthropicStreamEvents(message, { ping: false }), holdAfter: 2 });
  const stream = await client.messages.create({
    model: 'claude-sonnet-4-6',
    max_tokens: 64,
    messages: [{ role: 'user', content: 'Hi' }],
    stream: true,
  });
  const iterator = stream[Symbol.asyncIterator]();
  await iterator.next();
  await iterator.next();
  const abandoned = iterator.next().catch(() => undefined);
  expect(kept.spans).toHaveLength(0);

  await provider.shutdown();
  expect(kept.spans).toHaveLength(1);
  const span = kept.spans[0]!;
  expect(span.attributes['gen_ai.response.id']).toBe('msg_stalled');
  // message_start's input only (claude-sonnet-4-6 input at 3 USD per million): 1000 x 3 / 1e6 = 0.003.
  expect(span.attributes.cost_usd).toBe(0.003);
  expect(span.attributes['agentburn.cost.status']).toBe('partial');
  fake.release();
  await abandoned;
});
