import type { Attributes, Tracer } from '@opentelemetry/api';
import { addOpenInterval, removeOpenInterval } from '../open-intervals';
import { ATTR_COMPUTE_SANDBOX_ID, ATTR_PROCESS_COMMAND_LINE, ATTR_PROCESS_EXIT_CODE } from '../semconv';
import { type Clock, systemClock } from './clock';
import { type ComputeIntervalObserver, ComputeIntervals } from './compute-intervals';
import { type SandboxCallHooks, traceSandboxCall } from './sandbox-call';

/** Longest command line recorded (content capture on). */
const MAX_COMMAND_LINE = 8192;

let instanceCounter = 0;

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
  private readonly prefix: string;
  private openings = 0;
  private openingLossSaid = false;
  private readonly pending = new Set<Promise<unknown>>();

  constructor(private readonly options: SandboxProviderOptions) {
    this.prefix = `${options.provider}#opening#${++instanceCounter}:`;
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

  /**
   * `trace` for a call that may start a sandbox running (create, start,
   * resume). Should the tracer provider shut down while it is in flight, its
   * span ends then (so it is exported), the sandbox it starts is not
   * followed (nothing could export its interval), and that loss is said once.
   */
  traceOpening<T>(
    name: string,
    attributes: Attributes,
    call: () => Promise<T>,
    hooks: SandboxCallHooks<T> = {},
  ): Promise<T> {
    const key = `${this.prefix}${++this.openings}`;
    let shutDown = false;
    return this.trace(name, attributes, call, {
      onStart: (op) => {
        addOpenInterval(
          key,
          () => {
            shutDown = true;
            op.finisher.end();
            this.sayOpeningLost(name);
          },
          'sandbox-call',
        );
        hooks.onStart?.(op);
      },
      onResult: (result, op) => {
        removeOpenInterval(key);
        if (!shutDown) hooks.onResult?.(result, op);
      },
      onError: (error, op) => {
        removeOpenInterval(key);
        hooks.onError?.(error, op);
      },
    });
  }

  private sayOpeningLost(name: string): void {
    if (this.openingLossSaid) return;
    this.openingLossSaid = true;
    try {
      this.options.warn(
        `${name} was still in flight when telemetry shut down: its span ends now, and the sandbox it starts, ` +
          'if any, is not recorded, so its compute cost is lost (later ones are not reported again)',
      );
    } catch {
      // saying it must not break the caller
    }
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
