import type { Attributes, Context } from '@opentelemetry/api';
import { closeAllOpenIntervals } from '../open-intervals';
import { CostEngine, type CostSpanProcessorOptions } from './cost-engine';
import type { ReadableSpanLike, SpanProcessorLike, WritableSpanLike } from './span-shape';

/**
 * Fallback for tracer providers without `onEnding` (SDK 1.x and others):
 * wraps the exporting processor(s), prices each span in `onEnd` and hands
 * the inner processors a view of the span that shows the cost attributes.
 * The view keeps the span's prototype (methods, getters) and the span itself
 * is never modified after it ended.
 */
export class CostingSpanProcessor implements SpanProcessorLike {
  private readonly engine: CostEngine;
  private readonly inner: readonly SpanProcessorLike[];

  constructor(inner: SpanProcessorLike | readonly SpanProcessorLike[], options: CostSpanProcessorOptions = {}) {
    this.inner = Array.isArray(inner) ? [...inner] : [inner as SpanProcessorLike];
    this.engine = new CostEngine(options);
  }

  onStart(span: WritableSpanLike, parentContext: Context): void {
    try {
      this.engine.start(span, parentContext);
    } catch {
      // never break span creation
    }
    for (const processor of this.inner) processor.onStart(span, parentContext);
  }

  onEnd(span: ReadableSpanLike): void {
    let added: Attributes | undefined;
    this.engine.finish(span, (_span, batch) => {
      const attributes = batch.toAttributes();
      added = added === undefined ? attributes : { ...added, ...attributes };
      return attributes;
    });
    const seen = added === undefined ? span : withAttributes(span, added);
    for (const processor of this.inner) processor.onEnd(seen);
  }

  async forceFlush(): Promise<void> {
    await Promise.all(this.inner.map((processor) => processor.forceFlush()));
  }

  /** Ends open sandbox intervals first, so the inner processors still export them. */
  async shutdown(): Promise<void> {
    closeAllOpenIntervals();
    await Promise.all(this.inner.map((processor) => processor.shutdown()));
  }
}

/** Wraps exporting processor(s) so the spans they see carry cost. See {@link CostingSpanProcessor}. */
export function wrapWithCost(
  inner: SpanProcessorLike | readonly SpanProcessorLike[],
  options?: CostSpanProcessorOptions,
): CostingSpanProcessor {
  return new CostingSpanProcessor(inner, options);
}

function withAttributes<T extends ReadableSpanLike>(span: T, added: Attributes): T {
  const attributes = Object.freeze({ ...span.attributes, ...added });
  return Object.create(span, {
    attributes: { value: attributes, enumerable: true },
  }) as T;
}
