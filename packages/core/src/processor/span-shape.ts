import type { Attributes, AttributeValue, Context, HrTime, SpanContext } from '@opentelemetry/api';
import { trace } from '@opentelemetry/api';

/**
 * The parts of an SDK span the processor reads. Declared structurally so the
 * processor works with `@opentelemetry/sdk-trace-base` 1.x and 2.x and with
 * `@opentelemetry/sdk-trace` 3.x without depending on any of them.
 */
export interface ReadableSpanLike {
  readonly name: string;
  readonly attributes: Attributes;
  readonly startTime: HrTime;
  readonly endTime: HrTime;
  /** 2.x and 3.x. */
  readonly parentSpanContext?: SpanContext;
  /** 1.x. */
  readonly parentSpanId?: string;
  /** 2.x and 3.x. */
  readonly instrumentationScope?: { readonly name: string };
  /** 1.x. */
  readonly instrumentationLibrary?: { readonly name: string };
  spanContext(): SpanContext;
}

/** A span still open for writes (what `onStart` and `onEnding` receive). */
export interface WritableSpanLike extends ReadableSpanLike {
  setAttributes(attributes: Attributes): unknown;
  /** Every SDK line has it; a span-like without it gets `setAttributes`. */
  setAttribute?(key: string, value: AttributeValue): unknown;
}

/** The SpanProcessor contract, structurally: satisfied by every SDK line's own interface. */
export interface SpanProcessorLike {
  onStart(span: WritableSpanLike, parentContext: Context): void;
  onEnding?(span: WritableSpanLike): void;
  onEnd(span: ReadableSpanLike): void;
  forceFlush(): Promise<void>;
  shutdown(): Promise<void>;
}

// 1.x spans carry only `parentSpanId`; whether that parent was remote is seen
// once, at start, from the parent context, and remembered here.
const remoteParentSpans = new WeakSet<object>();

/** Call at `onStart`: records what a 1.x span cannot tell later. */
export function noteParent(span: ReadableSpanLike, parentContext: Context): void {
  if ('parentSpanContext' in span || span.parentSpanId === undefined) return;
  const parent = trace.getSpanContext(parentContext);
  if (parent?.isRemote === true && parent.spanId === span.parentSpanId) remoteParentSpans.add(span);
}

/** The span id of the parent, on any SDK line. */
export function parentSpanIdOf(span: ReadableSpanLike): string | undefined {
  return span.parentSpanContext?.spanId ?? span.parentSpanId;
}

/** A local root has no parent, or a parent in another process. */
export function isLocalRoot(span: ReadableSpanLike): boolean {
  const parent = span.parentSpanContext;
  if (parent !== undefined) return parent.isRemote === true;
  if (span.parentSpanId === undefined) return true;
  return remoteParentSpans.has(span);
}

export function scopeNameOf(span: ReadableSpanLike): string | undefined {
  return (span.instrumentationScope ?? span.instrumentationLibrary)?.name;
}

export function hrTimeToMs(time: HrTime): number {
  return time[0] * 1e3 + time[1] / 1e6;
}
