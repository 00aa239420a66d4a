import {
  COMPUTE_PROVIDER_VERCEL,
  type ComputeIntervals,
  captureContentFor,
  commandLineAttributes,
  exitCodeAttributes,
  ManualTargets,
  SANDBOX_END_STOPPED,
  SANDBOX_END_TIMEOUT,
  SandboxProviderTracing,
  SPAN_VERCEL_RUN_COMMAND,
  SPAN_VERCEL_SANDBOX,
  sandboxIdAttributes,
  sdkModuleDefinitions,
} from '@agentburn/core';
import type { Attributes, Context } from '@opentelemetry/api';
import { InstrumentationBase, InstrumentationNodeModuleDefinition } from '@opentelemetry/instrumentation';
import { SPAN_VERCEL_CREATE, SPAN_VERCEL_EXTEND_TIMEOUT, SPAN_VERCEL_GET, SPAN_VERCEL_STOP } from './semconv';
import { endAttributes, type SessionLike, sessionId, sessionOf, sizeOf } from './session';
import type { VercelSandboxInstrumentationConfig } from './types';
import { PACKAGE_NAME, PACKAGE_VERSION } from './version';

/**
 * @vercel/sandbox 3.x: sandboxes that run as sessions (2.x has none). The
 * newest 3.x runs in CI's matrix (test/matrix.sh).
 */
export const SUPPORTED_VERSIONS = ['>=3.0.0 <4'];
const SDK = { name: '@vercel/sandbox', supported: SUPPORTED_VERSIONS, unsupported: ['<3.0.0', '>=4.0.0'] };

/** Vercel stops a session 5 minutes after its start unless told otherwise. */
const DEFAULT_TIMEOUT_MS = 300_000;

/** Session states after which nothing more is billed. */
const ENDED_STATUSES = new Set(['stopping', 'stopped', 'failed', 'aborted']);

const WRAPPED = Symbol.for('agentburn.instrumentation-vercel-sandbox.wrapped');

// biome-ignore lint/suspicious/noExplicitAny: the SDK's methods, untyped here; their arguments are read defensively
type AnyFn = (this: any, ...args: any[]) => any;

/**
 * Traces Vercel Sandbox: one `vercel.sandbox` span per session (the VM that
 * runs and bills, from create or resume until stop or timeout) and a span
 * per operation. Vercel bills active CPU time, provisioned memory for the
 * session's life and each session started; the active CPU time is known
 * only from `stop()`'s answer, so an interval that ended otherwise prices
 * CPU from wall time and is marked estimated (see core's compute rates).
 */
export class VercelSandboxInstrumentation extends InstrumentationBase<VercelSandboxInstrumentationConfig> {
  private readonly sandboxes: SandboxProviderTracing;
  private wrapped: Array<[object, string]> = [];
  /** Modules patched by hand: unpatched on disable(), patched again on enable(). */
  private readonly manualTargets = new ManualTargets({
    sdk: SDK.name,
    diag: this._diag,
    isEnabled: () => this.isEnabled(),
    patch: (target) => this.patchModule(target),
    unpatch: () => this.unpatchAll(),
  });

  constructor(config: VercelSandboxInstrumentationConfig = {}) {
    super(PACKAGE_NAME, PACKAGE_VERSION, config);
    this.sandboxes = new SandboxProviderTracing({
      provider: COMPUTE_PROVIDER_VERCEL,
      spanName: SPAN_VERCEL_SANDBOX,
      tracer: () => this.tracer,
      clock: config.clock,
      warn: (message) => this._diag.warn(message),
    });
  }

  protected override init() {
    return sdkModuleDefinitions(
      InstrumentationNodeModuleDefinition,
      SDK,
      (moduleExports) => this.patchModule(moduleExports),
      () => this.unpatchAll(),
      (message) => this._diag.warn(message),
    );
  }

  private get intervals(): ComputeIntervals {
    return this.sandboxes.intervals;
  }

  /**
   * Instruments a `@vercel/sandbox` module by hand, for bundled code the module
   * hooks never see. Returns whether it holds anything to patch. Safe to
   * call more than once; `disable()` and `enable()` undo and redo it.
   */
  manuallyInstrument(moduleExports: unknown): boolean {
    return this.manualTargets.add(moduleExports);
  }

  override enable(): void {
    super.enable();
    this.manualTargets?.patchAll();
  }

  override disable(): void {
    super.disable();
    this.manualTargets?.unpatchAll();
  }

  /** @internal for tests: the interval tracker. */
  get _intervals(): ComputeIntervals {
    return this.intervals;
  }

  private patchModule(moduleExports: unknown): boolean {
    const cls = (moduleExports as { Sandbox?: AnyFn } | undefined)?.Sandbox;
    if (typeof cls !== 'function' || !cls.prototype) {
      this._diag.debug('no Vercel Sandbox class found to instrument');
      return false;
    }
    this.wrap(cls, 'create', (original) => this.tracedOpen(original, SPAN_VERCEL_CREATE));
    this.wrap(cls, 'get', (original) => this.tracedOpen(original, SPAN_VERCEL_GET));
    this.wrap(cls.prototype, 'runCommand', (original) => this.tracedRunCommand(original));
    this.wrap(cls.prototype, 'stop', (original) => this.tracedStop(original));
    this.wrap(cls.prototype, 'extendTimeout', (original) => this.tracedExtendTimeout(original));
    return true;
  }

  private wrap(target: object, name: string, make: (original: AnyFn) => AnyFn): void {
    const current: unknown = Object.hasOwn(target, name) ? Reflect.get(target, name) : undefined;
    if (typeof current !== 'function' || (current as { [WRAPPED]?: boolean })[WRAPPED]) return;
    this._wrap(target as Record<string, AnyFn>, name, (original: AnyFn) => {
      const wrapper = make(original);
      Object.defineProperty(wrapper, WRAPPED, { value: true });
      return wrapper;
    });
    this.wrapped.push([target, name]);
  }

  private unpatchAll(): void {
    for (const [target, name] of this.wrapped) this._unwrap(target as Record<string, AnyFn>, name);
    this.wrapped = [];
  }

  /** `Sandbox.create` and `Sandbox.get`: a running session we have not seen yet opens an interval. */
  private tracedOpen(original: AnyFn, span: string): AnyFn {
    const inst = this;
    return function open(this: unknown, ...args: unknown[]) {
      const startMs = inst.intervals.now();
      return inst.sandboxes.traceOpening(span, {}, () => original.apply(this, args), {
        onResult(sandbox, op) {
          const session = sessionOf(sandbox);
          op.finisher.setAttributes(idAttributes(session));
          inst.follow(session, op.parent, startMs);
        },
      });
    };
  }

  /** A command may resume a stopped sandbox: a new session, a new interval. */
  private tracedRunCommand(original: AnyFn): AnyFn {
    const inst = this;
    return function runCommand(this: unknown, ...args: unknown[]) {
      const startMs = inst.intervals.now();
      const capture = captureContentFor(inst.getConfig());
      const attributes = {
        ...idAttributes(sessionOf(this)),
        ...(capture ? commandLineAttributes(commandLine(args[0], args[1]), capture) : {}),
      };
      return inst.sandboxes.traceOpening(SPAN_VERCEL_RUN_COMMAND, attributes, () => original.apply(this, args), {
        onResult: (result, op) => {
          const session = sessionOf(this);
          op.finisher.setAttributes({ ...idAttributes(session), ...exitCodeAttributes(result) });
          inst.follow(session, op.parent, startMs);
        },
      });
    };
  }

  private tracedStop(original: AnyFn): AnyFn {
    const inst = this;
    return function stop(this: unknown, ...args: unknown[]) {
      const id = sessionId(sessionOf(this));
      return inst.sandboxes.trace(SPAN_VERCEL_STOP, idAttributes(sessionOf(this)), () => original.apply(this, args), {
        onResult(stopped) {
          const session = stopped as SessionLike | undefined;
          const stoppedId = sessionId(session) ?? id;
          if (stoppedId !== undefined) {
            inst.intervals.end(stoppedId, SANDBOX_END_STOPPED, inst.intervals.now(), endAttributes(session));
          }
        },
      });
    };
  }

  private tracedExtendTimeout(original: AnyFn): AnyFn {
    const inst = this;
    return function extendTimeout(this: unknown, duration: unknown, ...rest: unknown[]) {
      return inst.sandboxes.trace(
        SPAN_VERCEL_EXTEND_TIMEOUT,
        idAttributes(sessionOf(this)),
        () => original.call(this, duration, ...rest),
        {
          onResult: () => {
            const id = sessionId(sessionOf(this));
            const expiry = id === undefined ? undefined : inst.intervals.expiryOf(id);
            if (id === undefined || expiry === undefined) return;
            if (typeof duration === 'number' && Number.isFinite(duration) && duration > 0) {
              inst.intervals.setExpiry(id, { atMs: expiry + duration, reason: SANDBOX_END_TIMEOUT });
            }
          },
        },
      );
    };
  }

  /** Opens an interval for a running session not yet followed; Vercel ends it at its timeout. */
  private follow(session: SessionLike | undefined, parent: Context, startMs: number): void {
    const id = sessionId(session);
    if (!session || id === undefined || this.intervals.isOpen(id)) return;
    // A session still `pending` at create is about to run (and bill); one that has ended is not.
    if (ENDED_STATUSES.has(String(session.status))) return;
    // Each session started is a creation in Vercel's usage report ("Sandbox Creations").
    this.intervals.start(id, { parent, startMs, size: sizeOf(session), created: true });
    const timeout = typeof session.timeout === 'number' && session.timeout > 0 ? session.timeout : DEFAULT_TIMEOUT_MS;
    this.intervals.setExpiry(id, { atMs: startMs + timeout, reason: SANDBOX_END_TIMEOUT });
  }
}

function idAttributes(session: SessionLike | undefined): Attributes {
  return sandboxIdAttributes(sessionId(session));
}

function commandLine(cmd: unknown, args: unknown): string | undefined {
  const params = cmd as { cmd?: unknown; args?: unknown } | undefined;
  const name = typeof cmd === 'string' ? cmd : params?.cmd;
  const list = typeof cmd === 'string' ? args : params?.args;
  if (typeof name !== 'string') return undefined;
  const parts = Array.isArray(list) ? list.filter((a): a is string => typeof a === 'string') : [];
  return [name, ...parts].join(' ');
}
