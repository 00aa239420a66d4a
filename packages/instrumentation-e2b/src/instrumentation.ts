import {
  ATTR_E2B_RUN_CODE_LANGUAGE,
  ATTR_E2B_SANDBOX_ID,
  ATTR_E2B_TEMPLATE_ID,
  captureContentFor,
  ManualTargets,
  SANDBOX_END_KILLED,
  SANDBOX_END_LOST,
  SANDBOX_END_PAUSED,
  SandboxOpenings,
  SPAN_E2B_CODE_CONTEXT_CREATE,
  SPAN_E2B_COMMANDS_KILL,
  SPAN_E2B_COMMANDS_RUN,
  SPAN_E2B_FILES_PREFIX,
  SPAN_E2B_RUN_CODE,
  SPAN_E2B_SANDBOX_CONNECT,
  SPAN_E2B_SANDBOX_CREATE,
  SPAN_E2B_SANDBOX_KILL,
  SPAN_E2B_SANDBOX_PAUSE,
  SPAN_E2B_SANDBOX_SET_TIMEOUT,
  sdkModuleDefinitions,
  type UsageSample,
  UsageSampler,
  usageSampleSeconds,
} from '@agentburn/core';
import { context, ROOT_CONTEXT } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import { InstrumentationBase, InstrumentationNodeModuleDefinition } from '@opentelemetry/instrumentation';
import { systemClock } from './clock';
import { DEFAULT_SANDBOX_TIMEOUT_MS, SandboxIntervals, wireTimeoutMs } from './intervals';
import {
  commandAttributes,
  commandResultAttributes,
  executionAttributes,
  fileAttributes,
  type OperationDeps,
  type OperationHooks,
  type OperationSpec,
  type RunningOperation,
  runCodeAttributes,
  sandboxLoss,
  traceOperation,
} from './operations';
import { factsFromInfo } from './sizes';
import type { E2BInstrumentationConfig } from './types';
import { PACKAGE_NAME, PACKAGE_VERSION } from './version';

/** e2b 2.x and @e2b/code-interpreter 2.x. */
export const SUPPORTED_VERSIONS = ['>=2.0.0 <3'];
const UNSUPPORTED_VERSIONS = ['<2.0.0', '>=3.0.0'];
const MODULES = ['e2b', '@e2b/code-interpreter'];

/** `Filesystem` methods traced as `e2b.files.<method>` (`writeFiles` goes through `write`). */
export const FILE_METHODS = [
  'read',
  'write',
  'list',
  'exists',
  'makeDir',
  'rename',
  'remove',
  'getInfo',
  'watchDir',
] as const;

/** Marks our wrappers, so a second copy of this package never wraps a method twice. */
const WRAPPED = Symbol.for('agentburn.instrumentation-e2b.wrapped');

// biome-ignore lint/suspicious/noExplicitAny: the SDK's methods, untyped here; their arguments are read defensively
type AnyFn = (this: any, ...args: any[]) => any;
/** SDK option bags, read defensively. */
type SdkOptions = { [key: string]: unknown } | undefined;
type CommandHandleLike = { wait(): Promise<unknown>; disconnected?: boolean };
type SandboxLike = {
  sandboxId: string;
  connectionConfig?: { debug?: boolean };
  commands?: object;
  files?: object;
  kill?: () => Promise<unknown>;
  pause?: () => Promise<unknown>;
  betaPause?: () => Promise<unknown>;
};

/** A budget stops a sandbox through the SDK's own instance methods (traced like any other call). */
function stopSandbox(sandbox: SandboxLike, action: 'pause' | 'kill', log: { warn(message: string): void }): void {
  const stop = action === 'pause' ? (sandbox.pause ?? sandbox.betaPause) : sandbox.kill;
  if (typeof stop !== 'function') {
    log.warn(`a budget could not ${action} sandbox ${sandbox.sandboxId}: this SDK version has no such method`);
    return;
  }
  Promise.resolve()
    .then(() => stop.call(sandbox))
    .catch((error: unknown) => log.warn(`a budget could not ${action} sandbox ${sandbox.sandboxId}: ${String(error)}`));
}

/** Which sandbox an SDK `Commands` or `Filesystem` object belongs to. */
interface Binding {
  id: string;
  sandbox: SandboxLike;
}

interface StartRequest {
  template?: string;
  timeoutMs?: number;
  onTimeout?: 'kill' | 'pause';
  autoResume?: boolean;
}

/**
 * Traces E2B sandboxes: one `e2b.sandbox` span per running interval (what
 * E2B bills) and a span per operation. Patches the SDK's classes, not its
 * exports, so `@e2b/code-interpreter`, `@e2b/desktop` and users' subclasses
 * inherit the patches, and the instance methods (which call the statics of
 * E2B's internal `SandboxApi` class by name) and the statics share one
 * wrapper each: one span per call, whichever path it took.
 */
export class E2BInstrumentation extends InstrumentationBase<E2BInstrumentationConfig> {
  private readonly intervals: SandboxIntervals;
  /** Every method we wrapped, to unwrap on disable. */
  private wrapped: Array<[object, string]> = [];
  private readonly bindings = new WeakMap<object, Binding>();
  /** `Commands` and `Filesystem` prototypes seen, re-patched on enable for the sandboxes already bound. */
  private readonly commandProtos = new Set<object>();
  private readonly fileProtos = new Set<object>();
  private readonly pending = new Set<Promise<unknown>>();
  /** Sandboxes whose use is sampled, by id, while their interval is open. */
  private readonly sampled = new Map<string, SandboxLike>();
  private readonly sampler: UsageSampler | undefined;
  /** Creates and connects in flight, which telemetry shutting down ends. */
  private readonly openings: SandboxOpenings;
  /** Modules patched by hand: unpatched on disable(), patched again on enable(). */
  private readonly manualTargets = new ManualTargets({
    sdk: 'e2b',
    diag: this._diag,
    isEnabled: () => this.isEnabled(),
    patch: (target) => this.patchModule(target),
    unpatch: () => this.unpatchAll(),
  });

  constructor(config: E2BInstrumentationConfig = {}) {
    super(PACKAGE_NAME, PACKAGE_VERSION, config);
    this.openings = new SandboxOpenings('e2b', (message) => this._diag.warn(message));
    const clock = config.clock ?? systemClock;
    const seconds = usageSampleSeconds(config.sampleUsageEverySeconds, (message) => this._diag.warn(message));
    this.sampler =
      seconds > 0
        ? new UsageSampler({
            clock,
            everyMs: seconds * 1000,
            fetch: (id, sinceMs) => this.fetchUsage(id, sinceMs),
            track: (request) => this.track(request),
            onError: (error) => this._diag.debug('e2b getMetrics failed; sampling goes on', error),
          })
        : undefined;
    const sampler = this.sampler;
    this.intervals = new SandboxIntervals(
      () => this.tracer,
      clock,
      sampler && {
        opened: (id, startMs) => sampler.start(id, startMs),
        closing: (id) => {
          this.sampled.delete(id);
          return sampler.stop(id);
        },
      },
      (message) => this._diag.warn(message),
    );
  }

  protected override init() {
    // Versions outside the range are left alone, with one message per module and version.
    return MODULES.flatMap((name) =>
      sdkModuleDefinitions(
        InstrumentationNodeModuleDefinition,
        { name, supported: SUPPORTED_VERSIONS, unsupported: UNSUPPORTED_VERSIONS },
        (moduleExports) => this.patchModule(moduleExports),
        () => this.unpatchAll(),
        (message) => this._diag.warn(message),
      ),
    );
  }

  /**
   * Instruments an `e2b` or `@e2b/code-interpreter` module (or its `Sandbox`
   * class) by hand, for bundled code the module hooks never see. Returns
   * whether it holds anything to patch. Safe to call more than once;
   * `disable()` and `enable()` undo and redo it.
   */
  manuallyInstrument(moduleOrSandboxClass: unknown): boolean {
    return this.manualTargets.add(moduleOrSandboxClass);
  }

  override enable(): void {
    super.enable();
    this.manualTargets?.patchAll();
  }

  override disable(): void {
    super.disable();
    this.manualTargets?.unpatchAll();
  }

  /**
   * Resolves once the background `getInfo()` calls made after create/connect
   * (sizes, expiry) and after suspicious errors (loss checks) have finished.
   */
  async settled(): Promise<void> {
    for (let round = 0; round < 10 && this.pending.size > 0; round++) await Promise.allSettled([...this.pending]);
  }

  /**
   * Running seconds this process recorded for a sandbox (ended intervals plus
   * the open one so far), to compare with E2B's lifecycle events
   * (`reconcileSandbox`). Undefined for a sandbox never seen.
   */
  recordedSeconds(sandboxId: string): number | undefined {
    return this.intervals.recordedSeconds(sandboxId);
  }

  // --- patching -------------------------------------------------------------

  /** Returns whether `moduleExports` holds E2B's `Sandbox` class. */
  private patchModule(moduleExports: unknown): boolean {
    const exports = moduleExports as { Sandbox?: unknown; default?: unknown } | undefined;
    const candidates = [exports?.Sandbox, (exports?.default as { Sandbox?: unknown } | undefined)?.Sandbox, exports];
    const sandboxClass = candidates.find((c) => typeof c === 'function');
    const found = sandboxClass !== undefined && this.patchSandboxClass(sandboxClass as AnyFn);
    if (!found) this._diag.debug('no E2B Sandbox class found to instrument');
    for (const proto of this.commandProtos) this.patchCommands(proto);
    for (const proto of this.fileProtos) this.patchFiles(proto);
    return found;
  }

  /**
   * Walks the class chain up from `cls`: E2B's `SandboxApi` (owner of the
   * lifecycle statics), E2B's `Sandbox` (create, connect) and any class with
   * `runCode` (code interpreter). Returns whether E2B's classes were found.
   */
  private patchSandboxClass(cls: AnyFn): boolean {
    let found = false;
    for (let c: AnyFn = cls; typeof c === 'function' && c !== Function.prototype; c = Object.getPrototypeOf(c)) {
      const parent = Object.getPrototypeOf(c);
      if (isLifecycleApi(c)) {
        found = true;
        this.wrapMethod(c, 'kill', (original) => this.tracedKill(original));
        this.wrapMethod(c, 'pause', (original) => this.tracedPause(original));
        this.wrapMethod(c, 'setTimeout', (original) => this.tracedSetTimeout(original));
      }
      if (isLifecycleApi(parent) && own(c, 'create')) {
        this.wrapMethod(c, 'create', (original) => this.tracedCreate(original));
        this.wrapMethod(c, 'connect', (original) => this.tracedStaticConnect(original));
        this.wrapMethod(c, 'fork', (original) => this.tracedFork(original));
        this.wrapMethod(c.prototype, 'connect', (original) => this.tracedConnect(original));
      }
      if (c.prototype && own(c.prototype, 'runCode')) {
        this.wrapMethod(c.prototype, 'runCode', (original) => this.tracedRunCode(original));
        this.wrapMethod(c.prototype, 'createCodeContext', (original) => this.tracedCreateCodeContext(original));
      }
    }
    return found;
  }

  /** `Commands` and `Filesystem` are not exported: their prototypes are patched from the first instance seen. */
  private bind(sandbox: unknown): void {
    const s = sandbox as SandboxLike | undefined;
    if (!s || typeof s.sandboxId !== 'string') return;
    const binding: Binding = { id: s.sandboxId, sandbox: s };
    if (s.commands && typeof s.commands === 'object') {
      this.bindings.set(s.commands, binding);
      const proto = Object.getPrototypeOf(s.commands);
      if (proto) this.commandProtos.add(proto);
      this.patchCommands(proto);
    }
    if (s.files && typeof s.files === 'object') {
      this.bindings.set(s.files, binding);
      const proto = Object.getPrototypeOf(s.files);
      if (proto) this.fileProtos.add(proto);
      this.patchFiles(proto);
    }
  }

  private patchCommands(proto: object | undefined): void {
    this.wrapMethod(proto, 'run', (original) => this.tracedCommandRun(original));
    this.wrapMethod(proto, 'kill', (original) => this.tracedCommandKill(original));
  }

  private patchFiles(proto: object | undefined): void {
    for (const method of FILE_METHODS) this.wrapMethod(proto, method, (original) => this.tracedFiles(method, original));
  }

  /** Wraps `target[name]` (a static or a prototype method) once, skipping a method some copy of us already wrapped. */
  private wrapMethod(target: object | undefined, name: string, make: (original: AnyFn) => AnyFn): void {
    const current: unknown = target && own(target, name) ? Reflect.get(target, name) : undefined;
    if (!target || typeof current !== 'function' || (current as { [WRAPPED]?: boolean })[WRAPPED]) return;
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

  // --- lifecycle ------------------------------------------------------------

  private get deps(): OperationDeps {
    return { tracer: this.tracer, intervals: this.intervals, openings: this.openings };
  }

  private trace<T>(spec: OperationSpec, call: () => Promise<T>, hooks?: OperationHooks<T>): Promise<T> {
    return traceOperation(this.deps, spec, call, hooks);
  }

  private get captureContent(): boolean {
    return captureContentFor(this.getConfig());
  }

  private tracedCreate(original: AnyFn): AnyFn {
    const inst = this;
    return function create(this: unknown, ...args: unknown[]) {
      let request: StartRequest = {};
      try {
        request = createRequest(this, args[0], args[1]);
      } catch {
        // odd arguments: the SDK will say what is wrong
      }
      const attributes = request.template === undefined ? {} : { [ATTR_E2B_TEMPLATE_ID]: request.template };
      return inst.trace(
        { name: SPAN_E2B_SANDBOX_CREATE, attributes, budgeted: true, opening: true },
        () => original.apply(this, args),
        {
          onResult(sandbox: SandboxLike, op) {
            op.finisher.setAttributes({ [ATTR_E2B_SANDBOX_ID]: sandbox?.sandboxId });
            inst.started(sandbox, op, request);
            return undefined;
          },
        },
      );
    };
  }

  private tracedStaticConnect(original: AnyFn): AnyFn {
    const inst = this;
    return function connect(this: unknown, sandboxId: string, ...rest: unknown[]) {
      return inst.trace(
        { name: SPAN_E2B_SANDBOX_CONNECT, sandboxId, opening: true },
        () => original.call(this, sandboxId, ...rest),
        inst.connectHooks(sandboxId, rest[0]),
      );
    };
  }

  private tracedConnect(original: AnyFn): AnyFn {
    const inst = this;
    return function connect(this: SandboxLike, ...args: unknown[]) {
      const id = this?.sandboxId;
      return inst.trace(
        { name: SPAN_E2B_SANDBOX_CONNECT, sandboxId: id, opening: true },
        () => original.apply(this, args),
        inst.connectHooks(id, args[0]),
      );
    };
  }

  private connectHooks(sandboxId: string, opts: unknown): OperationHooks<SandboxLike> {
    return {
      onResult: (sandbox, op) => {
        this.started(sandbox, op, { timeoutMs: numberOr((opts as SdkOptions)?.timeoutMs) });
        return undefined;
      },
      onError: (error) => this.onLifecycleError(sandboxId, error),
    };
  }

  /** Forks are new running sandboxes: each gets an interval (there is no fork operation span in the contract). */
  private tracedFork(original: AnyFn): AnyFn {
    const inst = this;
    return function fork(this: unknown, ...args: unknown[]) {
      const parent = context.active();
      const startMs = inst.intervals.now();
      const result = original.apply(this, args);
      return Promise.resolve(result).then((forks: unknown) => {
        if (Array.isArray(forks)) {
          for (const sandbox of forks) {
            if (sandbox instanceof Error) continue;
            inst.started(sandbox, { parent, startMs }, { timeoutMs: numberOr((args[1] as SdkOptions)?.timeoutMs) });
          }
        }
        return forks;
      });
    };
  }

  private tracedKill(original: AnyFn): AnyFn {
    const inst = this;
    return function kill(this: unknown, sandboxId: string, ...rest: unknown[]) {
      return inst.trace({ name: SPAN_E2B_SANDBOX_KILL, sandboxId }, () => original.call(this, sandboxId, ...rest), {
        onResult(killed: unknown) {
          // `false`: E2B did not find it, so it had stopped without us seeing it.
          inst.intervals.end(sandboxId, killed === false ? SANDBOX_END_LOST : SANDBOX_END_KILLED);
          return undefined;
        },
        onError: (error) => inst.onLifecycleError(sandboxId, error),
      });
    };
  }

  private tracedPause(original: AnyFn): AnyFn {
    const inst = this;
    return function pause(this: unknown, sandboxId: string, ...rest: unknown[]) {
      return inst.trace({ name: SPAN_E2B_SANDBOX_PAUSE, sandboxId }, () => original.call(this, sandboxId, ...rest), {
        onResult() {
          // `true` paused now, `false` was already paused: either way it is not running.
          inst.intervals.end(sandboxId, SANDBOX_END_PAUSED);
          return undefined;
        },
        onError: (error) => inst.onLifecycleError(sandboxId, error),
      });
    };
  }

  private tracedSetTimeout(original: AnyFn): AnyFn {
    const inst = this;
    return function setTimeout(this: unknown, sandboxId: string, timeoutMs: number, ...rest: unknown[]) {
      return inst.trace(
        { name: SPAN_E2B_SANDBOX_SET_TIMEOUT, sandboxId },
        () => original.call(this, sandboxId, timeoutMs, ...rest),
        {
          onResult() {
            if (typeof timeoutMs === 'number' && Number.isFinite(timeoutMs)) {
              inst.intervals.setTimeoutFrom(sandboxId, inst.intervals.now(), wireTimeoutMs(timeoutMs));
            }
            return undefined;
          },
          onError: (error) => inst.onLifecycleError(sandboxId, error),
        },
      );
    };
  }

  /** A sandbox is running from `op.startMs`: open (or extend) its interval, then ask its size in the background. */
  private started(sandbox: unknown, op: Pick<RunningOperation, 'parent' | 'startMs'>, request: StartRequest): void {
    const s = sandbox as SandboxLike | undefined;
    if (!s || typeof s.sandboxId !== 'string' || s.connectionConfig?.debug) return; // debug mode bills nothing
    this.bind(s);
    if (this.sampler) this.sampled.set(s.sandboxId, s);
    const timeoutMs = request.timeoutMs === undefined ? DEFAULT_SANDBOX_TIMEOUT_MS : wireTimeoutMs(request.timeoutMs);
    this.intervals.start(s.sandboxId, {
      parent: op.parent,
      startMs: op.startMs,
      endAtMs: op.startMs + timeoutMs,
      template: request.template,
      onTimeout: request.onTimeout,
      autoResume: request.autoResume,
      stop: (action) => stopSandbox(s, action, this._diag),
    });
    const version = this.intervals.expiryVersion(s.sandboxId);
    this.lookUp(s, (info) => this.intervals.applyFacts(s.sandboxId, factsFromInfo(info), version));
  }

  /**
   * The samples E2B took of `id` after `sinceMs`, through E2B's own
   * unwrapped `getMetrics`, outside the caller's trace with tracing
   * suppressed. CPU is converted from percent of the vCPUs to vCPUs.
   */
  private async fetchUsage(id: string, sinceMs: number): Promise<UsageSample[]> {
    const sandbox = this.sampled.get(id);
    const getMetrics = sandbox && baseMethod(sandbox, 'getMetrics');
    if (!sandbox || !getMetrics) return [];
    const metrics = await context.with(suppressTracing(ROOT_CONTEXT), () =>
      getMetrics.call(sandbox, { start: new Date(sinceMs) }),
    );
    if (!Array.isArray(metrics)) return [];
    return metrics.map((m: { timestamp?: Date; cpuUsedPct?: number; cpuCount?: number; memUsed?: number }) => ({
      atMs: m.timestamp instanceof Date ? m.timestamp.getTime() : Number.NaN,
      cpuUsedVcpu: ((m.cpuUsedPct ?? Number.NaN) / 100) * (m.cpuCount ?? Number.NaN),
      memoryUsedMib: (m.memUsed ?? Number.NaN) / (1024 * 1024),
    }));
  }

  private track(request: Promise<unknown>): void {
    const tracked = request.catch(() => undefined).finally(() => this.pending.delete(tracked));
    this.pending.add(tracked);
  }

  private onLifecycleError(sandboxId: string, error: unknown): void {
    if (sandboxLoss(error) === 'gone') this.intervals.end(sandboxId, SANDBOX_END_LOST);
  }

  /**
   * An operation failed in a way a dead sandbox also fails: ask E2B. Billing
   * stops when the failure was seen if the sandbox turns out gone or paused.
   */
  private checkLoss(binding: Binding | undefined, error: unknown): void {
    if (!binding) return;
    const verdict = sandboxLoss(error);
    const at = this.intervals.now();
    if (verdict === 'gone') {
      this.intervals.end(binding.id, SANDBOX_END_LOST, at);
      return;
    }
    if (verdict !== 'maybe' || !this.intervals.isOpen(binding.id)) return;
    this.lookUp(
      binding.sandbox,
      (info) => {
        if ((info as { state?: unknown } | undefined)?.state === 'paused')
          this.intervals.end(binding.id, SANDBOX_END_PAUSED, at);
      },
      (lookupError) => {
        if (sandboxLoss(lookupError) === 'gone') this.intervals.end(binding.id, SANDBOX_END_LOST, at);
      },
    );
  }

  /**
   * One `getInfo()` through E2B's own unwrapped method, outside the caller's
   * trace and with tracing suppressed. Never throws, never delays the caller.
   */
  private lookUp(sandbox: SandboxLike, onInfo: (info: unknown) => void, onError?: (error: unknown) => void): void {
    try {
      const getInfo = baseMethod(sandbox, 'getInfo');
      if (!getInfo) return;
      const request = context.with(suppressTracing(ROOT_CONTEXT), () => getInfo.call(sandbox)) as Promise<unknown>;
      const done = Promise.resolve(request).then(onInfo, (error: unknown) => {
        this._diag.debug('e2b getInfo failed; keeping the size we have', error);
        onError?.(error);
      });
      this.track(done);
    } catch (error) {
      this._diag.debug('e2b getInfo could not be called', error);
    }
  }

  // --- operations inside the sandbox ----------------------------------------

  private tracedRunCode(original: AnyFn): AnyFn {
    const inst = this;
    return function runCode(this: SandboxLike, code: unknown, opts?: SdkOptions, ...rest: unknown[]) {
      const binding = inst.bindingOf(this);
      const capture = inst.captureContent;
      return inst.trace(
        {
          name: SPAN_E2B_RUN_CODE,
          sandboxId: binding?.id,
          attributes: runCodeAttributes(code, opts, capture),
          inSandbox: true,
          budgeted: true,
        },
        () => original.call(this, code, opts, ...rest),
        {
          onResult(execution, op) {
            op.finisher.setAttributes(executionAttributes(execution, capture));
            return undefined;
          },
          onError: (error) => inst.checkLoss(binding, error),
        },
      );
    };
  }

  private tracedCreateCodeContext(original: AnyFn): AnyFn {
    const inst = this;
    return function createCodeContext(this: SandboxLike, opts?: SdkOptions, ...rest: unknown[]) {
      const binding = inst.bindingOf(this);
      const attributes = opts?.language ? { [ATTR_E2B_RUN_CODE_LANGUAGE]: String(opts.language) } : {};
      return inst.trace(
        { name: SPAN_E2B_CODE_CONTEXT_CREATE, sandboxId: binding?.id, attributes, inSandbox: true },
        () => original.call(this, opts, ...rest),
        { onError: (error) => inst.checkLoss(binding, error) },
      );
    };
  }

  private tracedCommandRun(original: AnyFn): AnyFn {
    const inst = this;
    return function run(this: object, cmd: unknown, opts?: SdkOptions, ...rest: unknown[]) {
      const binding = inst.bindings.get(this);
      const capture = inst.captureContent;
      const background = opts?.background === true;
      return inst.trace(
        {
          name: SPAN_E2B_COMMANDS_RUN,
          sandboxId: binding?.id,
          attributes: commandAttributes(cmd, opts, capture),
          inSandbox: true,
          budgeted: true,
        },
        () => original.call(this, cmd, opts, ...rest),
        {
          onResult(result, op) {
            if (background && typeof (result as CommandHandleLike | undefined)?.wait === 'function') {
              inst.settleWithHandle(result as CommandHandleLike, op, binding, capture);
              return 'defer';
            }
            op.finisher.setAttributes(commandResultAttributes(result, capture));
            return undefined;
          },
          onError(error, op) {
            if (isCommandExit(error)) op.finisher.setAttributes(commandResultAttributes(error, capture));
            else inst.checkLoss(binding, error);
          },
        },
      );
    };
  }

  /**
   * A background command's span ends when its handle settles (`wait()` only
   * observes the stream the handle already reads), or when its sandbox's
   * interval is abandoned at shutdown, so it is exported.
   */
  private settleWithHandle(
    handle: CommandHandleLike,
    op: RunningOperation,
    binding: Binding | undefined,
    capture: boolean,
  ): void {
    let settled = false;
    const finish = (error?: unknown) => {
      if (settled) return;
      settled = true;
      unfollow();
      op.leave();
      if (error === undefined) return op.finisher.end(commandResultAttributes(handle, capture));
      if (isCommandExit(error)) return op.finisher.fail(error, commandResultAttributes(error, capture));
      // Disconnected by the caller: the command may still run, we just stop following it.
      if (handle.disconnected === true) return op.finisher.end();
      this.checkLoss(binding, error);
      op.finisher.fail(error);
    };
    // Abandoned: we stop following it, as on disconnect.
    const unfollow = this.intervals.follow(binding?.id, () => finish());
    try {
      Promise.resolve(handle.wait()).then(
        () => finish(),
        (error: unknown) => finish(error),
      );
    } catch (error) {
      finish(error);
    }
  }

  private tracedCommandKill(original: AnyFn): AnyFn {
    const inst = this;
    return function kill(this: object, ...args: unknown[]) {
      const binding = inst.bindings.get(this);
      return inst.trace(
        { name: SPAN_E2B_COMMANDS_KILL, sandboxId: binding?.id, inSandbox: true },
        () => original.apply(this, args),
        { onError: (error) => inst.checkLoss(binding, error) },
      );
    };
  }

  private tracedFiles(method: string, original: AnyFn): AnyFn {
    const inst = this;
    return function files(this: object, ...args: unknown[]) {
      const binding = inst.bindings.get(this);
      return inst.trace(
        {
          name: SPAN_E2B_FILES_PREFIX + method,
          sandboxId: binding?.id,
          attributes: fileAttributes(args[0], inst.captureContent),
          inSandbox: true,
        },
        () => original.apply(this, args),
        { onError: (error) => inst.checkLoss(binding, error) },
      );
    };
  }

  private bindingOf(sandbox: SandboxLike): Binding | undefined {
    if (!sandbox || typeof sandbox.sandboxId !== 'string') return undefined;
    if (sandbox.commands && !this.bindings.has(sandbox.commands)) this.bind(sandbox);
    return { id: sandbox.sandboxId, sandbox };
  }

  /** @internal for tests: the interval tracker. */
  get _intervals(): SandboxIntervals {
    return this.intervals;
  }
}

interface CreateOptions {
  template?: unknown;
  mcp?: unknown;
  timeoutMs?: unknown;
  lifecycle?: { onTimeout?: unknown; autoResume?: unknown };
}

interface SandboxClassLike {
  defaultTemplate?: unknown;
  defaultMcpTemplate?: unknown;
  resolveOpts?: (opts: unknown) => CreateOptions | undefined;
}

/** Options of `Sandbox.create(template?, opts?)` / `Sandbox.create(opts?)` that decide billing. */
function createRequest(cls: unknown, templateOrOpts: unknown, opts: unknown): StartRequest {
  const c = cls as SandboxClassLike | undefined;
  const named = typeof templateOrOpts === 'string';
  const sandboxOpts = (named ? opts : templateOrOpts) as CreateOptions | undefined;
  const template = named
    ? templateOrOpts
    : (sandboxOpts?.template ?? (sandboxOpts?.mcp ? c?.defaultMcpTemplate : c?.defaultTemplate));
  let resolved = sandboxOpts;
  try {
    // Options bound by an `E2B` client (`client.Sandbox`) count too.
    resolved = typeof c?.resolveOpts === 'function' ? (c.resolveOpts(sandboxOpts) ?? sandboxOpts) : sandboxOpts;
  } catch {
    resolved = sandboxOpts;
  }
  const onTimeout = sandboxOpts?.lifecycle?.onTimeout;
  const action = typeof onTimeout === 'string' ? onTimeout : (onTimeout as { action?: unknown } | undefined)?.action;
  const autoResume = sandboxOpts?.lifecycle?.autoResume;
  return {
    template: typeof template === 'string' ? template : undefined,
    timeoutMs: numberOr(resolved?.timeoutMs),
    onTimeout: action === 'pause' || action === 'kill' ? action : undefined,
    autoResume: typeof autoResume === 'boolean' ? autoResume : undefined,
  };
}

/** E2B's `SandboxApi`: the class that owns the lifecycle statics. */
function isLifecycleApi(c: unknown): boolean {
  return typeof c === 'function' && own(c, 'createSandbox') && own(c, 'connectSandbox') && own(c, 'kill');
}

/** E2B's own `method` (the one on E2B's `Sandbox.prototype`), whatever subclasses did to theirs. */
function baseMethod(sandbox: object, method: 'getInfo' | 'getMetrics'): AnyFn | undefined {
  for (let p = Object.getPrototypeOf(sandbox); p && p !== Object.prototype; p = Object.getPrototypeOf(p)) {
    if (isLifecycleApi(Object.getPrototypeOf(p.constructor)) && own(p, method)) return p[method];
  }
  return undefined;
}

function own(target: object, name: string): boolean {
  return Object.hasOwn(target, name);
}

function numberOr(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
}

function isCommandExit(error: unknown): boolean {
  return (error as { name?: unknown } | null)?.name === 'CommandExitError';
}
