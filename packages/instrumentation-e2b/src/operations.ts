import {
  ATTR_E2B_COMMAND_BACKGROUND,
  ATTR_E2B_EXECUTION_ERROR_NAME,
  ATTR_E2B_EXECUTION_STDERR,
  ATTR_E2B_EXECUTION_STDOUT,
  ATTR_E2B_RUN_CODE_CODE,
  ATTR_E2B_RUN_CODE_LANGUAGE,
  ATTR_E2B_SANDBOX_ID,
  ATTR_FILE_PATH,
  ATTR_PROCESS_COMMAND_LINE,
  ATTR_PROCESS_EXIT_CODE,
  admitSandboxOperation,
  type SandboxOpenings,
  SpanFinisher,
} from '@agentburn/core';
import { type Attributes, context, SpanKind, type Tracer, trace } from '@opentelemetry/api';
import type { SandboxIntervals } from './intervals';

/** Longest captured code or output, in characters; the rest is cut. */
export const MAX_CONTENT_LENGTH = 8192;

export interface OperationDeps {
  tracer: Tracer;
  intervals: SandboxIntervals;
  openings: SandboxOpenings;
}

export interface OperationSpec {
  name: string;
  sandboxId?: string;
  attributes?: Attributes;
  /** Counts toward the sandbox's active seconds (work inside the sandbox, not lifecycle calls). */
  inSandbox?: boolean;
  /** Refused once an active budget is spent (create, runCode, commands.run). */
  budgeted?: boolean;
  /** May start a sandbox running (create, connect): followed while in flight, as core's `SandboxOpenings` says. */
  opening?: boolean;
}

/** One traced call in flight. */
export interface RunningOperation {
  finisher: SpanFinisher;
  /** When the call was made, on the instrumentation's clock. */
  startMs: number;
  /** The caller's context (the interval span of a create/connect is parented here). */
  parent: ReturnType<typeof context.active>;
  /** Ends the operation's share of active time; called once the span ends unless deferred. */
  leave(): void;
}

export interface OperationHooks<T> {
  /** Sees the result; return `'defer'` to end the span later (a background command). */
  onResult?(result: T, op: RunningOperation): 'defer' | undefined;
  /** Sees the error before the span fails with it. */
  onError?(error: unknown, op: RunningOperation): void;
}

/**
 * Runs `call` inside a CLIENT span named `spec.name`. The caller gets the
 * SDK's own result or error instance; a failure to trace never stops the
 * call, and a hook that throws never loses the span.
 */
export function traceOperation<T>(
  deps: OperationDeps,
  spec: OperationSpec,
  call: () => Promise<T>,
  hooks: OperationHooks<T> = {},
): Promise<T> {
  let op: RunningOperation;
  let callContext: ReturnType<typeof context.active>;
  let refusal: Promise<never> | undefined;
  try {
    const parent = context.active();
    const attributes: Attributes = { ...spec.attributes };
    if (spec.sandboxId !== undefined) attributes[ATTR_E2B_SANDBOX_ID] = spec.sandboxId;
    const span = deps.tracer.startSpan(spec.name, { kind: SpanKind.CLIENT, attributes }, parent);
    const leave = spec.inSandbox ? deps.intervals.enter(spec.sandboxId, parent) : () => {};
    op = { finisher: new SpanFinisher(span), startMs: deps.intervals.now(), parent, leave };
    callContext = trace.setSpan(parent, span);
    if (spec.budgeted) refusal = admitSandboxOperation(op.finisher, spec.name);
  } catch {
    return call();
  }
  if (refusal !== undefined) {
    op.leave();
    return refusal;
  }
  const settle = spec.opening ? deps.openings.begin(spec.name, op.finisher) : () => true;
  let pending: Promise<T>;
  try {
    pending = context.with(callContext, call);
  } catch (error) {
    settle();
    op.leave();
    op.finisher.fail(error);
    throw error;
  }
  return Promise.resolve(pending).then(
    (result) => {
      let deferred = false;
      try {
        // Telemetry shut down while it was in flight: the sandbox it started is not followed.
        if (settle()) deferred = hooks.onResult?.(result, op) === 'defer';
      } catch {
        deferred = false;
      }
      if (!deferred) {
        op.leave();
        op.finisher.end();
      }
      return result;
    },
    (error: unknown) => {
      settle();
      try {
        hooks.onError?.(error, op);
      } catch {
        // recording is best effort
      }
      op.leave();
      op.finisher.fail(error);
      throw error;
    },
  );
}

/** Cuts captured content to a bounded size. */
export function clip(text: string): string {
  return text.length > MAX_CONTENT_LENGTH ? text.slice(0, MAX_CONTENT_LENGTH) : text;
}

// --- runCode ----------------------------------------------------------------

/** The code-interpreter server runs Python unless told otherwise. */
const DEFAULT_LANGUAGE = 'python';

/** Reads `obj.a.b...` from an untyped SDK value. */
function read(obj: unknown, ...path: string[]): unknown {
  let value = obj;
  for (const key of path) value = value !== null && typeof value === 'object' ? Reflect.get(value, key) : undefined;
  return value;
}

export function runCodeAttributes(code: unknown, opts: unknown, captureContent: boolean): Attributes {
  const language = read(opts, 'language') ?? read(opts, 'context', 'language') ?? DEFAULT_LANGUAGE;
  const attributes: Attributes = { [ATTR_E2B_RUN_CODE_LANGUAGE]: String(language) };
  if (captureContent && typeof code === 'string') attributes[ATTR_E2B_RUN_CODE_CODE] = clip(code);
  return attributes;
}

/** What an `Execution` tells us: the cell's error (not a failed call) and, on opt-in, its output. */
export function executionAttributes(execution: unknown, captureContent: boolean): Attributes {
  const attributes: Attributes = {};
  const errorName = read(execution, 'error', 'name');
  if (typeof errorName === 'string' && errorName) attributes[ATTR_E2B_EXECUTION_ERROR_NAME] = errorName;
  if (captureContent) {
    Object.assign(attributes, outputAttributes(read(execution, 'logs', 'stdout'), read(execution, 'logs', 'stderr')));
  }
  return attributes;
}

// --- commands ---------------------------------------------------------------

export function commandAttributes(cmd: unknown, opts: unknown, captureContent: boolean): Attributes {
  // Environment variables (`opts.envs`) are never recorded, keys nor values.
  const attributes: Attributes = { [ATTR_E2B_COMMAND_BACKGROUND]: read(opts, 'background') === true };
  if (captureContent && typeof cmd === 'string') attributes[ATTR_PROCESS_COMMAND_LINE] = clip(cmd);
  return attributes;
}

/** A `CommandResult`, a finished `CommandHandle` or a `CommandExitError`. */
export function commandResultAttributes(result: unknown, captureContent: boolean): Attributes {
  const attributes: Attributes = {};
  const exitCode = read(result, 'exitCode');
  if (typeof exitCode === 'number') attributes[ATTR_PROCESS_EXIT_CODE] = exitCode;
  if (captureContent) Object.assign(attributes, outputAttributes(read(result, 'stdout'), read(result, 'stderr')));
  return attributes;
}

// --- files ------------------------------------------------------------------

export function fileAttributes(path: unknown, captureContent: boolean): Attributes {
  // Paths can name users' data, so they are content.
  return captureContent && typeof path === 'string' ? { [ATTR_FILE_PATH]: clip(path) } : {};
}

function outputAttributes(stdout: unknown, stderr: unknown): Attributes {
  const attributes: Attributes = {};
  const out = joined(stdout);
  const err = joined(stderr);
  if (out) attributes[ATTR_E2B_EXECUTION_STDOUT] = clip(out);
  if (err) attributes[ATTR_E2B_EXECUTION_STDERR] = clip(err);
  return attributes;
}

function joined(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.filter((v) => typeof v === 'string').join('');
  return undefined;
}

// --- loss -------------------------------------------------------------------

/**
 * Whether an error says the sandbox is gone. `gone`: E2B said so
 * (`SandboxNotFoundError`). `maybe`: a timeout, a plain not-found or a
 * transport failure, which a dead sandbox also produces; worth a `getInfo()`
 * to confirm. Errors about files or commands themselves say nothing.
 */
export function sandboxLoss(error: unknown): 'gone' | 'maybe' | 'no' {
  const name = (error as { name?: unknown } | null)?.name;
  if (name === 'SandboxNotFoundError') return 'gone';
  if (name === 'TimeoutError' || name === 'NotFoundError') return 'maybe';
  if (error instanceof TypeError && /fetch failed|terminated|socket/i.test(error.message)) return 'maybe';
  return 'no';
}
