import {
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
  ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS,
  isThenable,
  observeAsyncIterable,
  recordCallMetrics,
  SpanFinisher,
} from '@agentburn/core';
import type { Attributes, Meter, Span } from '@opentelemetry/api';
import { outputContentAttributes } from './content';
import { isObject, type JsonObject } from './request';
import { finishReasons, responseAttributes } from './response';

export interface CallOptions {
  captureContent: boolean;
  unreadTimeoutMs: number | undefined;
  meter: Meter;
}

/** How one SDK method's result becomes span attributes. */
export type ResultReader = (result: JsonObject) => Attributes;

/**
 * One API request of `@google/genai`: follows the promise the SDK method
 * returned (and, for a stream, the async generator it resolves to) and ends
 * the span exactly once, with the response's attributes, on whichever exit
 * path comes first. The caller gets the SDK's own generator and error
 * instances; a stream is read only as far as the caller reads it.
 */
export class GenerateCall {
  readonly finisher: SpanFinisher;
  private resultAttributes: Attributes | undefined;

  constructor(
    span: Span,
    readonly requestAttributes: Attributes,
    private readonly options: CallOptions,
  ) {
    this.finisher = new SpanFinisher(span, ({ durationSeconds, error }) =>
      recordCallMetrics(options.meter, requestAttributes, this.resultAttributes, durationSeconds, error),
    );
  }

  /**
   * Follows the promise of a one-shot call. Returns a promise chained on it
   * that settles with the same value or the same error, so a failure nobody
   * handles is still reported as unhandled, exactly as without us.
   */
  followResult(result: unknown, read: ResultReader): unknown {
    if (!isThenable(result)) {
      this.endWith(result, read);
      return result;
    }
    return result.then(
      (value) => {
        this.endWith(value, read);
        return value;
      },
      (error: unknown) => {
        this.finisher.fail(error);
        throw error;
      },
    );
  }

  /** Follows the promise of a streamed call: the generator it resolves to is observed in place. */
  followStream(result: unknown): unknown {
    if (!isThenable(result)) {
      this.finisher.end();
      return result;
    }
    return result.then(
      (stream) => {
        this.observeStream(stream);
        return stream;
      },
      (error: unknown) => {
        this.finisher.fail(error);
        throw error;
      },
    );
  }

  fail(error: unknown): void {
    this.finisher.fail(error);
  }

  private endWith(value: unknown, read: ResultReader): void {
    try {
      const attributes = isObject(value) ? read(value) : {};
      if (this.options.captureContent && isObject(value)) {
        const candidate = Array.isArray(value.candidates) ? value.candidates[0] : undefined;
        const parts = isObject(candidate) && isObject(candidate.content) ? candidate.content.parts : undefined;
        if (Array.isArray(parts)) {
          Object.assign(attributes, outputContentAttributes(parts, finishReasons(value.candidates)[0]));
        }
      }
      this.end(attributes);
    } catch {
      this.finisher.end();
    }
  }

  private observeStream(stream: unknown): void {
    const latest: Attributes = {};
    const parts: unknown[] = [];
    let finishReason: string | undefined;
    const attributesSoFar = (complete: boolean): Attributes => {
      // Before the last chunk the output figures are running counts, not what was billed: left out.
      const attributes = complete || finishReason !== undefined ? latest : withoutKeys(latest, RUNNING_OUTPUT_KEYS);
      return this.options.captureContent && parts.length > 0
        ? { ...attributes, ...outputContentAttributes(parts, finishReason) }
        : attributes;
    };
    const observed = observeAsyncIterable<unknown>(
      stream,
      this.finisher,
      {
        onChunk: (chunk) => {
          if (!isObject(chunk)) return;
          // Every chunk repeats the id and model; usage grows to its final figures in the last one.
          Object.assign(latest, responseAttributes(chunk));
          finishReason = finishReasons(chunk.candidates)[0] ?? finishReason;
          if (this.options.captureContent) {
            const candidate = Array.isArray(chunk.candidates) ? chunk.candidates[0] : undefined;
            const chunkParts = isObject(candidate) && isObject(candidate.content) ? candidate.content.parts : undefined;
            if (Array.isArray(chunkParts)) parts.push(...chunkParts);
          }
        },
        onComplete: () => this.end(attributesSoFar(true)),
        onIncomplete: () => this.end(attributesSoFar(false)),
      },
      { unreadTimeoutMs: this.options.unreadTimeoutMs },
    );
    if (!observed) this.finisher.end();
  }

  private end(attributes: Attributes): void {
    this.resultAttributes = attributes;
    this.finisher.end(attributes);
  }
}

const RUNNING_OUTPUT_KEYS = [ATTR_GEN_AI_USAGE_OUTPUT_TOKENS, ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS];

function withoutKeys(attributes: Attributes, keys: readonly string[]): Attributes {
  const copy = { ...attributes };
  for (const key of keys) delete copy[key];
  return copy;
}
