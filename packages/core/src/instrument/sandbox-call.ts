import { type Attributes, type Context, context, SpanKind, type Tracer, trace } from '@opentelemetry/api';
import { SpanFinisher } from './span-finisher';

/** One traced sandbox call in flight. */
export interface SandboxCall {
  finisher: SpanFinisher;
  /** The caller's context (an interval opened by this call is parented here). */
  parent: Context;
}

export interface SandboxCallHooks<T> {
  /** Sees the call as its span starts (not called when the span could not start). */
  onStart?(call: SandboxCall): void;
  /** Sees the result before the span ends. */
  onResult?(result: T, call: SandboxCall): void;
  /** Sees the error before the span fails with it. */
  onError?(error: unknown, call: SandboxCall): void;
}

/**
 * Runs `call` inside a CLIENT span: the operation spans of sandbox
 * providers (no `cost_usd` on them). The caller gets the SDK's own result or
 * error; a failure to trace never stops the call, and a hook that throws
 * never loses the span.
 */
export function traceSandboxCall<T>(
  tracer: Tracer,
  name: string,
  attributes: Attributes,
  call: () => Promise<T>,
  hooks: SandboxCallHooks<T> = {},
): Promise<T> {
  let op: SandboxCall;
  let callContext: Context;
  try {
    const parent = context.active();
    const span = tracer.startSpan(name, { kind: SpanKind.CLIENT, attributes }, parent);
    op = { finisher: new SpanFinisher(span), parent };
    callContext = trace.setSpan(parent, span);
  } catch {
    return call();
  }
  try {
    hooks.onStart?.(op);
  } catch {
    // recording is best effort
  }
  let pending: Promise<T>;
  try {
    pending = context.with(callContext, call);
  } catch (error) {
    op.finisher.fail(error);
    throw error;
  }
  return Promise.resolve(pending).then(
    (result) => {
      try {
        hooks.onResult?.(result, op);
      } catch {
        // recording is best effort
      }
      op.finisher.end();
      return result;
    },
    (error: unknown) => {
      try {
        hooks.onError?.(error, op);
      } catch {
        // recording is best effort
      }
      op.finisher.fail(error);
      throw error;
    },
  );
}
