import {
  ATTR_AWS_REQUEST_ID,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
  isThenable,
  observeAsyncIterable,
  recordCallMetrics,
  SpanFinisher,
} from '@agentburn/core';
import type { Attributes, Meter, Span } from '@opentelemetry/api';
import { ConverseStreamAccumulator, converseResponseAttributes } from './converse';
import { InvokeStreamAccumulator, invokeResponseAttributes, parseBody } from './invoke';
import type { Command } from './request';
import { isObject, type JsonObject } from './usage';

export interface CallOptions {
  captureContent: boolean;
  unreadTimeoutMs: number | undefined;
  meter: Meter;
}

/**
 * One `client.send()` of a Bedrock inference command: follows the output (or
 * the error) and ends the span exactly once, with the usage, on whichever
 * exit path comes first. The caller gets the SDK's own output object, whose
 * event stream is observed in place, and the SDK's own error instances.
 */
export class BedrockCall {
  readonly finisher: SpanFinisher;
  private resultAttributes: Attributes | undefined;

  constructor(
    span: Span,
    readonly requestAttributes: Attributes,
    readonly command: Command,
    private readonly options: CallOptions,
  ) {
    this.finisher = new SpanFinisher(span, ({ durationSeconds, error }) =>
      recordCallMetrics(options.meter, this.requestAttributes, this.resultAttributes, durationSeconds, error),
    );
  }

  /** Attributes learnt after the span started (the endpoint, resolved asynchronously by the SDK's config). */
  addRequestAttributes(attributes: Attributes): void {
    Object.assign(this.requestAttributes, attributes);
    this.finisher.setAttributes(attributes);
  }

  /** A promise chained on `send()`'s, settling with the same output or the same error. */
  follow(result: unknown): unknown {
    if (!isThenable(result)) {
      this.finisher.end();
      return result;
    }
    return result.then(
      (output) => {
        this.onOutput(output);
        return output;
      },
      (error: unknown) => {
        this.fail(error);
        throw error;
      },
    );
  }

  fail(error: unknown): void {
    this.finisher.fail(error);
  }

  onOutput(output: unknown): void {
    try {
      if (!isObject(output)) {
        this.end({});
        return;
      }
      const requestId = output.$metadata?.requestId;
      if (typeof requestId === 'string') this.finisher.setAttributes({ [ATTR_AWS_REQUEST_ID]: requestId });
      switch (this.command.kind) {
        case 'converse':
          this.end(converseResponseAttributes(output, this.options.captureContent));
          return;
        case 'invoke':
          this.end(invokeResponseAttributes(parseBody(output.body), this.options.captureContent));
          return;
        case 'converse_stream':
          this.observeStream(output.stream, new ConverseStreamAccumulator(this.options.captureContent));
          return;
        case 'invoke_stream':
          this.observeStream(output.body, new InvokeStreamAccumulator(this.options.captureContent));
          return;
      }
    } catch {
      this.finisher.end();
    }
  }

  private observeStream(stream: unknown, accumulator: ConverseStreamAccumulator | InvokeStreamAccumulator): void {
    // Before the final event the output count is a running one, not what was billed: left out.
    const attributesSoFar = (): Attributes => {
      const attributes = accumulator.attributes();
      if (!accumulator.final) delete attributes[ATTR_GEN_AI_USAGE_OUTPUT_TOKENS];
      return attributes;
    };
    const observed = observeAsyncIterable<JsonObject>(
      stream,
      this.finisher,
      {
        onChunk: (event) => {
          accumulator.add(event);
        },
        onComplete: () => this.end(accumulator.attributes()),
        onIncomplete: () => this.end(attributesSoFar()),
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
