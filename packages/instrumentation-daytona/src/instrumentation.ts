import {
  ATTR_COMPUTE_SANDBOX_ID,
  COMPUTE_PROVIDER_DAYTONA,
  type ComputeIntervals,
  captureContentFor,
  commandLineAttributes,
  exitCodeAttributes,
  ManualTargets,
  SANDBOX_END_ABANDONED,
  SANDBOX_END_ARCHIVED,
  SANDBOX_END_DELETED,
  SANDBOX_END_LOST,
  SANDBOX_END_PAUSED,
  SANDBOX_END_STOPPED,
  SANDBOX_END_TIMEOUT,
  SandboxProviderTracing,
  SPAN_DAYTONA_PROCESS_CODE_RUN,
  SPAN_DAYTONA_PROCESS_EXECUTE,
  SPAN_DAYTONA_SANDBOX,
  sandboxIdAttributes,
  sdkModuleDefinitions,
  systemClock,
  type UsageSample,
  UsageSampler,
  usageSampleSeconds,
} from '@agentburn/core';
import { type Attributes, type Context, context, ROOT_CONTEXT } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import { InstrumentationBase, InstrumentationNodeModuleDefinition } from '@opentelemetry/instrumentation';
import { isGone, isSandbox, runningState, type SandboxLike, sizeOf } from './sandbox';
import {
  SPAN_DAYTONA_ARCHIVE,
  SPAN_DAYTONA_CREATE,
  SPAN_DAYTONA_DELETE,
  SPAN_DAYTONA_FS_PREFIX,
  SPAN_DAYTONA_GET,
  SPAN_DAYTONA_PAUSE,
  SPAN_DAYTONA_REFRESH_ACTIVITY,
  SPAN_DAYTONA_SET_AUTOSTOP,
  SPAN_DAYTONA_START,
  SPAN_DAYTONA_STOP,
} from './semconv';
import type { DaytonaInstrumentationConfig } from './types';
import { PACKAGE_NAME, PACKAGE_VERSION } from './version';

/**
 * @daytonaio/sdk 0.135 and later 0.x: `Daytona`, `Sandbox`, `Process`,
 * `FileSystem` classes speaking the API the tests' fake speaks (the oldest and
 * newest releases run in CI's matrix, test/matrix.sh).
 */
export const SUPPORTED_VERSIONS = ['>=0.135.0 <1'];
const SDK = { name: '@daytonaio/sdk', supported: SUPPORTED_VERSIONS, unsupported: ['<0.135.0', '>=1.0.0'] };

/** Daytona stops an idle sandbox after 15 minutes unless told otherwise. */
const DEFAULT_AUTO_STOP_MINUTES = 15;

/** `FileSystem` methods traced as `daytona.fs.<method>`. */
export const FS_METHODS = [
  'createFolder',
  'deleteFile',
  'downloadFile',
  'downloadFiles',
  'findFiles',
  'getFileDetails',
  'listFiles',
  'moveFiles',
  'replaceInFiles',
  'searchFiles',
  'setFilePermissions',
  'uploadFile',
  'uploadFiles',
] as const;

/** Marks our wrappers, so a second copy of this package never wraps a method twice. */
const WRAPPED = Symbol.for('agentburn.instrumentation-daytona.wrapped');

// biome-ignore lint/suspicious/noExplicitAny: the SDK's methods, untyped here; their arguments are read defensively
type AnyFn = (this: any, ...args: any[]) => any;

/** Where an end of the running life comes from, per lifecycle method. */
const ENDS: ReadonlyArray<[method: string, span: string, reason: string]> = [
  ['stop', SPAN_DAYTONA_STOP, SANDBOX_END_STOPPED],
  ['pause', SPAN_DAYTONA_PAUSE, SANDBOX_END_PAUSED],
  ['archive', SPAN_DAYTONA_ARCHIVE, SANDBOX_END_ARCHIVED],
  ['delete', SPAN_DAYTONA_DELETE, SANDBOX_END_DELETED],
];

/**
 * Traces Daytona sandboxes: one `daytona.sandbox` span per running interval
 * (create or start until stop, pause, archive, delete or auto-stop), priced
 * per second for vCPU, memory and disk, and a span per operation. An idle
 * sandbox stops itself after its auto-stop interval: every SDK call through
 * the sandbox moves that expiry, as it moves Daytona's.
 */
export class DaytonaInstrumentation extends InstrumentationBase<DaytonaInstrumentationConfig> {
  private readonly sandboxes: SandboxProviderTracing;
  private wrapped: Array<[object, string]> = [];
  /** The sandbox a `Process` or `FileSystem` object belongs to. */
  private readonly owners = new WeakMap<object, SandboxLike>();
  /** Modules patched by hand: unpatched on disable(), patched again on enable(). */
  private readonly manualTargets = new ManualTargets({
    sdk: SDK.name,
    diag: this._diag,
    isEnabled: () => this.isEnabled(),
    patch: (target) => this.patchModule(target),
    unpatch: () => this.unpatchAll(),
  });
  /** Sandboxes (by id) with a start or an end of ours in flight. */
  private readonly inFlight = new Map<string, number>();
  /** Sandboxes whose use is sampled, by id, while their interval is open. */
  private readonly sampled = new Map<string, SandboxLike>();
  /** The SDK's own `Sandbox.prototype.getMetrics`, read once patched. */
  private getMetrics: AnyFn | undefined;
  private readonly sampler: UsageSampler | undefined;
  private noMetricsSaid = false;

  constructor(config: DaytonaInstrumentationConfig = {}) {
    super(PACKAGE_NAME, PACKAGE_VERSION, config);
    const warn = (message: string) => this._diag.warn(message);
    const seconds = usageSampleSeconds(config.sampleUsageEverySeconds, warn);
    let sampler: UsageSampler | undefined;
    this.sandboxes = new SandboxProviderTracing({
      provider: COMPUTE_PROVIDER_DAYTONA,
      spanName: SPAN_DAYTONA_SANDBOX,
      tracer: () => this.tracer,
      clock: config.clock,
      warn,
      observer: {
        opened: (id, startMs) => sampler?.start(id, startMs),
        closing: (id) => {
          this.sampled.delete(id);
          return sampler?.stop(id);
        },
      },
    });
    if (seconds > 0) {
      sampler = new UsageSampler({
        clock: config.clock ?? systemClock,
        everyMs: seconds * 1000,
        fetch: (id, sinceMs) => this.fetchUsage(id, sinceMs),
        track: (request) => this.sandboxes.track(request),
        onError: (error) => this._diag.debug('daytona getMetrics failed; sampling goes on', error),
      });
    }
    this.sampler = sampler;
  }

  /** Resolves once the background usage requests have been answered. */
  settled(): Promise<void> {
    return this.sandboxes.settled();
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
   * Instruments a `@daytonaio/sdk` module by hand, for bundled code the module
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

  // --- patching -------------------------------------------------------------

  private patchModule(moduleExports: unknown): boolean {
    const sdk = moduleExports as Record<string, { prototype?: object } | undefined>;
    const client = sdk?.Daytona?.prototype;
    const sandbox = sdk?.Sandbox?.prototype;
    if (!client || !sandbox) {
      this._diag.debug('no Daytona or Sandbox class found to instrument');
      return false;
    }
    const getMetrics = Reflect.get(sandbox, 'getMetrics');
    if (typeof getMetrics === 'function') this.getMetrics = getMetrics as AnyFn;
    else if (this.sampler && !this.noMetricsSaid) {
      this.noMetricsSaid = true;
      this._diag.warn(
        'usage sampling reads Sandbox.getMetrics(), which @daytonaio/sdk has from 0.199.0; this version has none, so no use is sampled',
      );
    }
    this.wrap(client, 'create', (original) => this.tracedCreate(original));
    this.wrap(client, 'get', (original) => this.tracedGet(original));
    this.wrap(sandbox, 'start', (original) => this.tracedStart(original));
    for (const [method, span, reason] of ENDS) {
      this.wrap(sandbox, method, (original) => this.tracedEnd(original, span, reason));
    }
    this.wrap(sandbox, 'setAutostopInterval', (original) => this.tracedSetAutostop(original));
    this.wrap(sandbox, 'refreshActivity', (original) => this.tracedRefreshActivity(original));
    this.wrap(sandbox, 'refreshData', (original) => this.observedRefresh(original));
    const process = sdk.Process?.prototype;
    this.wrap(process, 'executeCommand', (original) => this.tracedRun(original, SPAN_DAYTONA_PROCESS_EXECUTE));
    this.wrap(process, 'codeRun', (original) => this.tracedRun(original, SPAN_DAYTONA_PROCESS_CODE_RUN));
    const fs = sdk.FileSystem?.prototype;
    for (const method of FS_METHODS) this.wrap(fs, method, (original) => this.tracedFs(original, method));
    return true;
  }

  private wrap(target: object | undefined, name: string, make: (original: AnyFn) => AnyFn): void {
    const current: unknown = target && Object.hasOwn(target, name) ? Reflect.get(target, name) : undefined;
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

  private tracedCreate(original: AnyFn): AnyFn {
    const inst = this;
    return function create(this: unknown, ...args: unknown[]) {
      const startMs = inst.intervals.now();
      return inst.sandboxes.traceOpening(SPAN_DAYTONA_CREATE, {}, () => original.apply(this, args), {
        onResult(sandbox, op) {
          if (!isSandbox(sandbox)) return;
          op.finisher.setAttributes({ [ATTR_COMPUTE_SANDBOX_ID]: sandbox.id });
          inst.running(sandbox, op.parent, startMs, true);
        },
      });
    };
  }

  /** A sandbox found already running is billed from now on (its earlier life is not ours to see). */
  private tracedGet(original: AnyFn): AnyFn {
    const inst = this;
    return function get(this: unknown, ...args: unknown[]) {
      return inst.sandboxes.traceOpening(SPAN_DAYTONA_GET, {}, () => original.apply(this, args), {
        onResult(sandbox, op) {
          if (!isSandbox(sandbox)) return;
          op.finisher.setAttributes({ [ATTR_COMPUTE_SANDBOX_ID]: sandbox.id });
          inst.bind(sandbox);
          if (sandbox.state === 'started') inst.running(sandbox, op.parent, inst.intervals.now(), false);
          else inst.checkState(sandbox);
        },
      });
    };
  }

  private tracedStart(original: AnyFn): AnyFn {
    const inst = this;
    return function start(this: SandboxLike, ...args: unknown[]) {
      const startMs = inst.intervals.now();
      return inst.sandboxes.traceOpening(SPAN_DAYTONA_START, idAttributes(this), inst.changing(this, original, args), {
        onResult: (_result, op) => inst.running(this, op.parent, startMs, false),
      });
    };
  }

  private tracedEnd(original: AnyFn, span: string, reason: string): AnyFn {
    const inst = this;
    return function end(this: SandboxLike, ...args: unknown[]) {
      return inst.sandboxes.trace(span, idAttributes(this), inst.changing(this, original, args), {
        onResult: () => inst.intervals.end(this.id, reason),
        // Daytona no longer knows it: it ended before, unseen.
        onError: (error) => {
          if (isGone(error)) inst.intervals.end(this.id, SANDBOX_END_LOST);
        },
      });
    };
  }

  private tracedSetAutostop(original: AnyFn): AnyFn {
    const inst = this;
    return function setAutostopInterval(this: SandboxLike, ...args: unknown[]) {
      return inst.sandboxes.trace(SPAN_DAYTONA_SET_AUTOSTOP, idAttributes(this), () => original.apply(this, args), {
        onResult: () => inst.touch(this),
      });
    };
  }

  /**
   * Runs a start or an end: while it is in flight the SDK polls the state
   * (`refreshData`), and a state in passing is ours, not a loss.
   */
  private changing(sandbox: SandboxLike, original: AnyFn, args: unknown[]): () => Promise<unknown> {
    return () => {
      const id = isSandbox(sandbox) ? sandbox.id : undefined;
      if (id === undefined) return original.apply(sandbox, args);
      this.inFlight.set(id, (this.inFlight.get(id) ?? 0) + 1);
      const done = () => {
        const left = (this.inFlight.get(id) ?? 1) - 1;
        if (left > 0) this.inFlight.set(id, left);
        else this.inFlight.delete(id);
      };
      try {
        return Promise.resolve(original.apply(sandbox, args)).finally(done);
      } catch (error) {
        done();
        throw error;
      }
    };
  }

  /** Activity by hand: Daytona's idle clock restarts. */
  private tracedRefreshActivity(original: AnyFn): AnyFn {
    const inst = this;
    return function refreshActivity(this: SandboxLike, ...args: unknown[]) {
      return inst.sandboxes.trace(SPAN_DAYTONA_REFRESH_ACTIVITY, idAttributes(this), () => original.apply(this, args), {
        onResult: () => inst.touch(this),
      });
    };
  }

  /**
   * `refreshData()` reads the sandbox's state (no span: a read, not an
   * operation). A running interval whose sandbox is found not running, or
   * gone, ended unseen.
   */
  private observedRefresh(original: AnyFn): AnyFn {
    const inst = this;
    return function refreshData(this: SandboxLike, ...args: unknown[]) {
      const result = original.apply(this, args);
      Promise.resolve(result).then(
        () => inst.checkState(this),
        (error: unknown) => {
          if (isGone(error) && isSandbox(this)) inst.intervals.end(this.id, SANDBOX_END_LOST);
        },
      );
      return result;
    };
  }

  /**
   * The state the SDK reports for a sandbox with an open interval: stopped
   * (or on its way) without us seeing when, it ends as `lost`, billed to
   * now; in error or unknown, whether it still runs is not known, so it
   * ends as `abandoned`, billed to its auto-stop. Both are said once.
   */
  private checkState(sandbox: SandboxLike): void {
    if (!isSandbox(sandbox) || !this.intervals.isOpen(sandbox.id) || this.inFlight.has(sandbox.id)) return;
    const running = runningState(sandbox.state);
    if (running === 'yes') return;
    this.intervals.end(sandbox.id, running === 'no' ? SANDBOX_END_LOST : SANDBOX_END_ABANDONED);
  }

  /** `sandbox` is running since `startMs`: open its interval, with its size and auto-stop expiry. */
  private running(sandbox: SandboxLike, parent: Context, startMs: number, created: boolean): void {
    this.bind(sandbox);
    if (this.sampler) this.sampled.set(sandbox.id, sandbox);
    this.intervals.start(sandbox.id, { parent, startMs, size: sizeOf(sandbox), created });
    this.touch(sandbox);
  }

  /**
   * The samples Daytona recorded of `id` after `sinceMs`, through the SDK's
   * own `getMetrics` (a telemetry read through the API, not activity),
   * outside the caller's trace with tracing suppressed. CPU comes as percent
   * of the sandbox's vCPUs, memory in bytes.
   */
  private async fetchUsage(id: string, sinceMs: number): Promise<UsageSample[]> {
    const sandbox = this.sampled.get(id);
    const getMetrics = this.getMetrics;
    if (!sandbox || !getMetrics) return [];
    const until = new Date(this.intervals.now());
    const metrics: unknown = await context.with(suppressTracing(ROOT_CONTEXT), () =>
      getMetrics.call(sandbox, new Date(sinceMs), until),
    );
    if (!Array.isArray(metrics)) return [];
    return metrics.map((m: { timestamp?: unknown; cpuUsedPct?: unknown; cpuCount?: unknown; memUsed?: unknown }) => {
      const vcpus = positive(m.cpuCount) ?? positive(sandbox.cpu) ?? Number.NaN;
      return {
        atMs: m.timestamp instanceof Date ? m.timestamp.getTime() : Number.NaN,
        cpuUsedVcpu: (numberOr(m.cpuUsedPct) / 100) * vcpus,
        memoryUsedMib: numberOr(m.memUsed) / (1024 * 1024),
      };
    });
  }

  /** Activity through the SDK restarts Daytona's idle clock: the interval's expiry moves with it. */
  private touch(sandbox: SandboxLike | undefined): void {
    if (!sandbox || !this.intervals.isOpen(sandbox.id)) return;
    const minutes = sandbox.autoStopInterval ?? DEFAULT_AUTO_STOP_MINUTES;
    this.intervals.setExpiry(
      sandbox.id,
      minutes > 0 ? { atMs: this.intervals.now() + minutes * 60_000, reason: SANDBOX_END_TIMEOUT } : undefined,
    );
  }

  private bind(sandbox: SandboxLike): void {
    if (sandbox.process && typeof sandbox.process === 'object') this.owners.set(sandbox.process, sandbox);
    if (sandbox.fs && typeof sandbox.fs === 'object') this.owners.set(sandbox.fs, sandbox);
  }

  // --- operations inside the sandbox ----------------------------------------

  private tracedRun(original: AnyFn, span: string): AnyFn {
    const inst = this;
    return function run(this: object, ...args: unknown[]) {
      const sandbox = inst.owners.get(this);
      const line = typeof args[0] === 'string' ? args[0] : undefined;
      const attributes = {
        ...idAttributes(sandbox),
        ...commandLineAttributes(line, captureContentFor(inst.getConfig())),
      };
      inst.touch(sandbox);
      return inst.sandboxes.trace(span, attributes, () => original.apply(this, args), {
        onResult(response, op) {
          op.finisher.setAttributes(exitCodeAttributes(response));
          inst.touch(sandbox);
        },
        onError: () => inst.touch(sandbox),
      });
    };
  }

  private tracedFs(original: AnyFn, method: string): AnyFn {
    const inst = this;
    return function fs(this: object, ...args: unknown[]) {
      const sandbox = inst.owners.get(this);
      inst.touch(sandbox);
      return inst.sandboxes.trace(
        SPAN_DAYTONA_FS_PREFIX + method,
        idAttributes(sandbox),
        () => original.apply(this, args),
        {
          onResult: () => inst.touch(sandbox),
          onError: () => inst.touch(sandbox),
        },
      );
    };
  }
}

function idAttributes(sandbox: SandboxLike | undefined): Attributes {
  return sandboxIdAttributes(isSandbox(sandbox) ? sandbox.id : undefined);
}

function positive(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : undefined;
}

function numberOr(value: unknown): number {
  return typeof value === 'number' ? value : Number.NaN;
}
