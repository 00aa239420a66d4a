import { observeAsyncIterable, SpanFinisher } from '@agentburn/core';
import { describe, expect, it } from 'vitest';
import { createProvider, InMemorySpanExporter, simpleProcessor } from './helpers/otel';

const exporter = new InMemorySpanExporter();
const tracer = createProvider([simpleProcessor(exporter)]).getTracer('test');

function observe(target: unknown) {
  exporter.reset();
  const seen: number[] = [];
  const finisher = new SpanFinisher(tracer.startSpan('call'));
  const outcome: string[] = [];
  const observed = observeAsyncIterable<number>(target, finisher, {
    onChunk: (chunk) => {
      seen.push(chunk);
    },
    onComplete: (f) => {
      outcome.push('complete');
      f.end({ chunks: seen.length });
    },
    onIncomplete: (f, reason) => {
      outcome.push(reason);
      f.end({ chunks: seen.length });
    },
  });
  return { observed, seen, outcome, spans: () => exporter.getFinishedSpans() };
}

async function* numbers(n: number) {
  for (let i = 1; i <= n; i++) yield i;
}

describe('observeAsyncIterable', () => {
  it('observes-a-generator-in-place-through-next', async () => {
    const generator = numbers(3);
    const { observed, seen, outcome, spans } = observe(generator);
    expect(observed).toBe(true);
    expect(generator[Symbol.asyncIterator]()).toBe(generator);
    const values: number[] = [];
    for (let r = await generator.next(); !r.done; r = await generator.next()) values.push(r.value);
    expect(values).toEqual([1, 2, 3]);
    expect(seen).toEqual([1, 2, 3]);
    expect(outcome).toEqual(['complete']);
    expect(spans().map((s) => s.attributes.chunks)).toEqual([3]);
  });

  it('ends-once-on-early-break-from-a-generator', async () => {
    const generator = numbers(5);
    const { outcome, spans } = observe(generator);
    for await (const value of generator) if (value === 2) break;
    // The generator itself was closed: the SDK's cleanup runs as usual.
    expect(await generator.next()).toEqual({ done: true, value: undefined });
    expect(outcome).toEqual(['early_return']);
    expect(spans()).toHaveLength(1);
  });

  it('observes-an-iterable-object-in-place', async () => {
    const iterable = { [Symbol.asyncIterator]: () => numbers(2) };
    const { observed, seen, spans } = observe(iterable);
    expect(observed).toBe(true);
    const values: number[] = [];
    for await (const value of iterable) values.push(value);
    expect(values).toEqual([1, 2]);
    expect(seen).toEqual([1, 2]);
    expect(spans()).toHaveLength(1);
  });

  it('fails-the-span-when-the-stream-throws', async () => {
    async function* failing() {
      yield 1;
      throw new TypeError('stream broke');
    }
    const generator = failing();
    const { spans } = observe(generator);
    const error = await (async () => {
      for await (const _ of generator) {
        // read on
      }
    })().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TypeError);
    expect(spans()[0]!.attributes['error.type']).toBe('TypeError');
  });

  it('touches-nothing-that-is-not-iterable', () => {
    const plain = { value: 1 };
    const { observed } = observe(plain);
    expect(observed).toBe(false);
    expect(Object.keys(plain)).toEqual(['value']);
    expect(observe(undefined).observed).toBe(false);
  });
});
