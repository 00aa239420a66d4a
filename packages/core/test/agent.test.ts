import {
  ATTR_AGENT_NAME,
  ATTR_COST_USD,
  ATTR_ERROR_TYPE,
  ATTR_GEN_AI_AGENT_NAME,
  ATTR_GEN_AI_OPERATION_NAME,
  CostSpanProcessor,
  withAgent,
} from '@agentburn/core';
import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { afterEach, describe, expect, it } from 'vitest';
import { chatAttributes } from './helpers/genai';
import { createTracing, endSpan } from './helpers/otel';

function setup() {
  return createTracing([new CostSpanProcessor()]);
}

afterEach(() => {
  trace.disable();
});

describe('withAgent', () => {
  it('runs-a-sync-fn-inside-an-internal-invoke-agent-span', () => {
    const { tracer, exporter, span } = setup();
    const result = withAgent('planner', () => 42, { tracer });
    expect(result).toBe(42);
    expect(exporter.spans).toHaveLength(1);
    const agent = span('invoke_agent planner');
    expect(agent.kind).toBe(SpanKind.INTERNAL);
    expect(agent.attributes[ATTR_GEN_AI_OPERATION_NAME]).toBe('invoke_agent');
    expect(agent.attributes[ATTR_GEN_AI_AGENT_NAME]).toBe('planner');
    expect(agent.status.code).toBe(SpanStatusCode.UNSET);
  });

  it('ends-the-span-when-the-promise-resolves', async () => {
    const { tracer, exporter, span } = setup();
    let release!: (value: string) => void;
    const pending = withAgent('coder', () => new Promise<string>((resolve) => (release = resolve)), { tracer });
    expect(exporter.spans).toHaveLength(0);
    release('done');
    await expect(pending).resolves.toBe('done');
    expect(span('invoke_agent coder').ended).toBe(true);
  });

  it('rethrows-the-same-error-and-records-it', () => {
    const { tracer, span } = setup();
    const error = new TypeError('bad plan');
    expect(() =>
      withAgent(
        'planner',
        () => {
          throw error;
        },
        { tracer },
      ),
    ).toThrow(error);
    const agent = span('invoke_agent planner');
    expect(agent.status).toEqual({ code: SpanStatusCode.ERROR, message: 'bad plan' });
    expect(agent.attributes[ATTR_ERROR_TYPE]).toBe('TypeError');
  });

  it('passes-a-rejection-through-and-records-it', async () => {
    const { tracer, span } = setup();
    const error = new RangeError('out of budget');
    await expect(withAgent('coder', async () => Promise.reject(error), { tracer })).rejects.toBe(error);
    const agent = span('invoke_agent coder');
    expect(agent.status.code).toBe(SpanStatusCode.ERROR);
    expect(agent.attributes[ATTR_ERROR_TYPE]).toBe('RangeError');
  });

  it('returns-a-promise-subclass-itself-keeping-its-methods', async () => {
    // SDK promises are subclasses with extra methods (openai's APIPromise has
    // `withResponse()`): the caller must get that very object back.
    class SdkPromise<T> extends Promise<T> {
      withResponse() {
        return this.then((data) => ({ data, response: 'raw' }));
      }
    }
    const { tracer, exporter, span } = setup();
    let release!: (value: string) => void;
    const sdkPromise = new SdkPromise<string>((resolve) => (release = resolve));
    const returned = withAgent('coder', () => sdkPromise, { tracer });
    expect(returned).toBe(sdkPromise);
    expect(exporter.spans).toHaveLength(0);
    release('done');
    await expect(returned.withResponse()).resolves.toEqual({ data: 'done', response: 'raw' });
    expect(span('invoke_agent coder').ended).toBe(true);
  });

  it('records-the-rejection-of-a-promise-subclass-and-passes-it-on', async () => {
    class SdkPromise<T> extends Promise<T> {}
    const { tracer, span } = setup();
    const error = new RangeError('rate limited');
    const sdkPromise = new SdkPromise<never>((_, reject) => reject(error));
    const returned = withAgent('coder', () => sdkPromise, { tracer });
    expect(returned).toBe(sdkPromise);
    await expect(returned).rejects.toBe(error);
    const agent = span('invoke_agent coder');
    expect(agent.status.code).toBe(SpanStatusCode.ERROR);
    expect(agent.attributes[ATTR_ERROR_TYPE]).toBe('RangeError');
  });

  it('tags-llm-calls-made-inside-with-the-agent', async () => {
    const { tracer, span } = setup();
    await withAgent(
      'researcher',
      async () => {
        await Promise.resolve();
        endSpan(tracer, 'chat gpt-4o', chatAttributes());
      },
      { tracer },
    );
    const chat = span('chat gpt-4o');
    expect(chat.attributes[ATTR_AGENT_NAME]).toBe('researcher');
    // 1000 x 2.5 / 1e6 + 200 x 10 / 1e6 = 0.0045 (gpt-4o, genai-prices 0.1.8)
    expect(chat.attributes[ATTR_COST_USD]).toBeCloseTo(0.0045, 15);
    expect(chat.parentSpanContext?.spanId).toBe(span('invoke_agent researcher').spanContext().spanId);
  });

  it('nested-agents-tag-with-the-innermost', () => {
    const { tracer, exporter } = setup();
    withAgent(
      'outer',
      () => {
        withAgent('inner', () => endSpan(tracer, 'chat gpt-4o', chatAttributes({ responseId: 'in' })), { tracer });
        endSpan(tracer, 'chat gpt-4o', chatAttributes({ responseId: 'out' }));
      },
      { tracer },
    );
    const byId = (id: string) => exporter.spans.find((s) => s.attributes['gen_ai.response.id'] === id);
    expect(byId('in')?.attributes[ATTR_AGENT_NAME]).toBe('inner');
    expect(byId('out')?.attributes[ATTR_AGENT_NAME]).toBe('outer');
  });

  it('uses-the-global-tracer-provider-by-default', () => {
    const { provider, span } = setup();
    trace.setGlobalTracerProvider(provider as Parameters<typeof trace.setGlobalTracerProvider>[0]);
    withAgent('global', () => undefined);
    expect(span('invoke_agent global').attributes[ATTR_GEN_AI_AGENT_NAME]).toBe('global');
  });
});
