import { type Attributes, type Span, SpanKind, type Tracer, trace } from '@opentelemetry/api';
import { SpanFinisher } from './instrument/span-finisher';
import { CORE_SCOPE_NAME } from './metrics';
import { ATTR_GEN_AI_AGENT_NAME, ATTR_GEN_AI_OPERATION_NAME, GEN_AI_OPERATION_INVOKE_AGENT } from './semconv';

export interface WithAgentOptions {
  /** Tracer for the agent span. Default: the global provider's `@agentburn/core` tracer. */
  tracer?: Tracer;
  /** Extra attributes for the agent span (e.g. `gen_ai.agent.id`). */
  attributes?: Attributes;
}

/**
 * Runs `fn` as the agent task `name`: inside an INTERNAL span
 * `invoke_agent {name}`, active for everything `fn` starts, so the
 * CostSpanProcessor tags the cost of every LLM call and sandbox below it with
 * `agentburn.agent.name`. Works with sync and async `fn`; the span ends when
 * `fn` returns, throws or its promise settles, and records the error. The
 * value or error of `fn` passes through unchanged; a promise subclass (an
 * SDK's, with methods of its own) is returned as the very same object.
 */
export function withAgent<T>(name: string, fn: (span: Span) => T, options: WithAgentOptions = {}): T {
  const tracer = options.tracer ?? trace.getTracer(CORE_SCOPE_NAME);
  const attributes: Attributes = {
    ...options.attributes,
    [ATTR_GEN_AI_OPERATION_NAME]: GEN_AI_OPERATION_INVOKE_AGENT,
    [ATTR_GEN_AI_AGENT_NAME]: name,
  };
  return tracer.startActiveSpan(
    `${GEN_AI_OPERATION_INVOKE_AGENT} ${name}`,
    { kind: SpanKind.INTERNAL, attributes },
    (span) => {
      const finisher = new SpanFinisher(span);
      let result: T;
      try {
        result = fn(span);
      } catch (error) {
        finisher.fail(error);
        throw error;
      }
      if (!isPromiseLike(result)) {
        finisher.end();
        return result;
      }
      if (result instanceof Promise && result.constructor !== Promise) {
        // An SDK's promise subclass (openai's APIPromise has `withResponse()`):
        // the caller gets that object itself, watched on the side. Promise
        // semantics make a second `then` harmless.
        result.then(
          () => finisher.end(),
          (error: unknown) => finisher.fail(error),
        );
        return result;
      }
      // Chained (not observed on the side), so a rejection nobody handles is
      // still reported as unhandled, exactly as without the agent span.
      return result.then(
        (value) => {
          finisher.end();
          return value;
        },
        (error: unknown) => {
          finisher.fail(error);
          throw error;
        },
      ) as T;
    },
  );
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}
