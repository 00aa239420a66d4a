import type { Attributes, Tracer } from '@opentelemetry/api';
import { addOpenInterval, removeOpenInterval } from '../open-intervals';
import { ATTR_COMPUTE_SANDBOX_ID, ATTR_PROCESS_COMMAND_LINE, ATTR_PROCESS_EXIT_CODE } from '../semconv';
import { type Clock, systemClock } from './clock';
import { type ComputeIntervalObserver, ComputeIntervals } from './compute-intervals';
import { type SandboxCallHooks, traceSandboxCall } from './sandbox-call';
import type { SpanFinisher } from './span-finisher';

/** Longest command line recorded (content capture on). */
const MAX_COMMAND_LINE = 8192;

let instanceCounter = 0;

/**
 * Calls in flight that may start a sandbox running (create, start, resume,
 * connect), kept in core's open-interval registry as sandbox calls. Should
 * the tracer provider shut down while one is in flight, its span ends then
 * (so it is exported), the sandbox it starts is not followed (nothing could
 * export its interval), and that loss is said once.
 */
export class SandboxOpenings {
  private readonly prefix: string;
  private count = 0;
  private lossSaid = false;

  constructor(
    provider: string,
    private readonly warn: (message: string) => void,
  ) {
    this.prefix = `${provider}#opening#${++instanceCounter}:`;
  }

  /** Follows the call `name` ending with `finisher`; the returned function, called as it settles, says whether it may still start a sandbox. */
  begin(name: string, finisher: SpanFinisher): () => boolean {
    const key = `${this.prefix}${++this.count}`;
    let shutDown = false;
    addOpenInterval(
      key,
      () => {
        shutDown = true;
        finisher.end();
        this.sayLost(name);
      },
      'sandbox-call',
    );
    return () => {
      removeOpenInterval(key);
      return !shutDown;
    };
  }

  private sayLost(name: string): void {
    if (this.lossSaid) return;
    this.lossSaid = true;
    try {
      this.warn(
        `${name} was still in flight when telemetry shut down: its span ends now, and the sandbox it starts, ` +
          'if any, is not recorded, so its compute cost is lost (later ones are not reported again)',
      );
    } catch {
      // saying it must not break the caller
    }
  }
}

export interface SandboxProviderOptions {
  /** `agentburn.compute.provider`, lower case. */
  provider: string;
  /** Name of the running-interval spans, e.g. `daytona.sandbox`. */
  spanName: string;
  /** The instrumentation's tracer, read at each use (it changes with `setTracerProvider`). */
  tracer: () => Tracer;
  /** The wall clock unless given (tests). */
  clock?: Clock;
  /** The instrumentation's diag logger, for what is lost. */
  warn: (message: string) => void;
  /** Told as intervals open and close (usage sampling). */
  observer?: ComputeIntervalObserver;
}

/**
 * What a sandbox provider's instrumentation traces with, in the generic
 * `agentburn.compute.*` shape: its running intervals and its operation spans
 * (CLIENT spans carrying the sandbox id, never a cost).
 */
export class SandboxProviderTracing {
  readonly intervals: ComputeIntervals;
  private readonly openings: SandboxOpenings;
  private readonly pending = new Set<Promise<unknown>>();

  constructor(private readonly options: SandboxProviderOptions) {
    this.openings = new SandboxOpenings(options.provider, options.warn);
    this.intervals = new ComputeIntervals({
      tracer: options.tracer,
      clock: options.clock ?? systemClock,
      provider: options.provider,
      spanName: options.spanName,
      warn: options.warn,
      observer: options.observer,
    });
  }

  now(): number {
    return this.intervals.now();
  }

  /** Keeps a background request (a usage sample) until it settles, for `settled()`. */
  track(request: Promise<unknown>): void {
    const tracked = request.catch(() => undefined).finally(() => this.pending.delete(tracked));
    this.pending.add(tracked);
  }

  /** Resolves once the background requests (and those they started) have settled; bounded. */
  async settled(): Promise<void> {
    for (let round = 0; round < 10 && this.pending.size > 0; round++) await Promise.allSettled([...this.pending]);
  }

  /** Runs an SDK call inside its operation span; the caller gets the SDK's own result or error. */
  trace<T>(name: string, attributes: Attributes, call: () => Promise<T>, hooks?: SandboxCallHooks<T>): Promise<T> {
    return traceSandboxCall(this.options.tracer(), name, attributes, call, hooks);
  }

  /** `trace` for a call that may start a sandbox running (create, start, resume): see {@link SandboxOpenings}. */
  traceOpening<T>(
    name: string,
    attributes: Attributes,
    call: () => Promise<T>,
    hooks: SandboxCallHooks<T> = {},
  ): Promise<T> {
    let settle = () => true;
    return this.trace(name, attributes, call, {
      onStart: (op) => {
        settle = this.openings.begin(name, op.finisher);
        hooks.onStart?.(op);
      },
      onResult: (result, op) => {
        if (settle()) hooks.onResult?.(result, op);
      },
      onError: (error, op) => {
        settle();
        hooks.onError?.(error, op);
      },
    });
  }
}

/** The sandbox id of an operation span, when known. */
export function sandboxIdAttributes(id: string | undefined): Attributes {
  return typeof id === 'string' ? { [ATTR_COMPUTE_SANDBOX_ID]: id } : {};
}

/** `process.command_line` when content capture is on (bounded), else nothing. */
export function commandLineAttributes(line: string | undefined, capture: boolean): Attributes {
  return capture && typeof line === 'string' ? { [ATTR_PROCESS_COMMAND_LINE]: line.slice(0, MAX_COMMAND_LINE) } : {};
}

/** `process.exit.code` of a command's result, when it reports one. */
export function exitCodeAttributes(result: unknown): Attributes {
  const exitCode = (result as { exitCode?: unknown } | null | undefined)?.exitCode;
  return typeof exitCode === 'number' ? { [ATTR_PROCESS_EXIT_CODE]: exitCode } : {};
}
