import { type Attributes, type Context, diag } from '@opentelemetry/api';
import { closeAllOpenIntervals } from '../open-intervals';
import type { AttributeBatch } from './attribute-batch';
import { CostEngine, type CostSpanProcessorOptions } from './cost-engine';
import type { ReadableSpanLike, SpanProcessorLike, WritableSpanLike } from './span-shape';

/**
 * Sets `cost_usd`, its breakdown, status and provenance on LLM inference and
 * sandbox interval spans, the agent name on costed spans, and the trace
 * rollup on local roots. Works in `onEnding`, while the span is still
 * writable and before any exporting processor's `onEnd` sees it.
 *
 * Register it before the exporting processors, so its `shutdown()` ends the
 * sandbox intervals still open while the exporters can still send them.
 */
/** The span is still writable in `onEnding`; the SDK's attribute limits apply to what lands. */
function writeToSpan(span: WritableSpanLike, batch: AttributeBatch): Attributes {
  batch.writeTo(span);
  return span.attributes;
}

export class CostSpanProcessor implements SpanProcessorLike {
  protected readonly engine: CostEngine;
  private onEndingSeen = false;
  private onEndingMissing = false;

  constructor(options: CostSpanProcessorOptions = {}) {
    this.engine = new CostEngine(options);
  }

  /** Traces whose totals are currently kept for the rollup (bounded by `maxOpenTraces`). */
  get openTraces(): number {
    return this.engine.openTraces;
  }

  onStart(span: WritableSpanLike, parentContext: Context): void {
    try {
      this.engine.start(span, parentContext);
    } catch {
      // never break span creation
    }
  }

  onEnding(span: WritableSpanLike): void {
    this.onEndingSeen = true;
    this.engine.finish(span, writeToSpan);
  }

  onEnd(_span: ReadableSpanLike): void {
    // A provider that never calls onEnding would leave every span unpriced.
    if (!this.onEndingSeen && !this.onEndingMissing) {
      this.onEndingMissing = true;
      diag.warn(
        '@agentburn/core: this tracer provider does not call SpanProcessor.onEnding, so CostSpanProcessor cannot ' +
          'write cost; wrap the exporting processors with wrapWithCost() instead.',
      );
    }
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  /**
   * Ends the sandbox intervals still running (as `abandoned`), synchronously,
   * so they are priced and handed to the exporting processors before those
   * shut down (the provider calls each processor's `shutdown()` in order).
   */
  shutdown(): Promise<void> {
    closeAllOpenIntervals();
    return Promise.resolve();
  }
}
