import {
  ATTR_COMPUTE_SANDBOX_ID,
  ATTR_PROCESS_COMMAND_LINE,
  ATTR_PROCESS_EXIT_CODE,
  COMPUTE_PROVIDER_DAYTONA,
  ComputeIntervals,
  declineUnsupportedVersions,
  ManualTargets,
  SANDBOX_END_ARCHIVED,
  SANDBOX_END_DELETED,
  SANDBOX_END_PAUSED,
  SANDBOX_END_STOPPED,
  SANDBOX_END_TIMEOUT,
  type SandboxCallHooks,
  SPAN_DAYTONA_PROCESS_CODE_RUN,
  SPAN_DAYTONA_PROCESS_EXECUTE,
  SPAN_DAYTONA_SANDBOX,
  shouldCaptureContent,
  systemClock,
  traceSandboxCall,
} from '@agentburn/core';
import type { Attributes, Context } from '@opentelemetry/api';
import { InstrumentationBase, InstrumentationNodeModuleDefinition } from '@opentelemetry/instrumentation';
import { isSandbox, type SandboxLike, sizeOf } from './sandbox';
import {
  SPAN_DAYTONA_ARCHIVE,
  SPAN_DAYTONA_CREATE,
  SPAN_DAYTONA_DELETE,
  SPAN_DAYTONA_FS_PREFIX,
  SPAN_DAYTONA_GET,
  SPAN_DAYTONA_PAUSE,
  SPAN_DAYTONA_SET_AUTOSTOP,
  SPAN_DAYTONA_START,
  SPAN_DAYTONA_STOP,
} from './semconv';
import type { DaytonaInstrumentationConfig } from './types';
import { PACKAGE_NAME, PACKAGE_VERSION } from './version';

/** @daytonaio/sdk 0.100 and later 0.x: `Daytona`, `Sandbox`, `Process`, `FileSystem` classes. */
export const SUPPORTED_VERSIONS = ['>=0.100.0 <1'];
const UNSUPPORTED_VERSIONS = ['<0.100.0', '>=1.0.0'];
const MODULE = '@daytonaio/sdk';

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
  private readonly intervals: ComputeIntervals;
  private wrapped: Array<[object, string]> = [];
  /** The sandbox a `Process` or `FileSystem` object belongs to. */
  private readonly owners = new WeakMap<object, SandboxLike>();
  /** Modules patched by hand: unpatched on disable(), patched again on enable(). */
  private readonly manualTargets = new ManualTargets({
    sdk: MODULE,
    diag: this._diag,
    isEnabled: () => this.isEnabled(),
    patch: (target) => this.patchModule(target),
    unpatch: () => this.unpatchAll(),
  });

  constructor(config: DaytonaInstrumentationConfig = {}) {
    super(PACKAGE_NAME, PACKAGE_VERSION, config);
    this.intervals = new ComputeIntervals({
      tracer: () => this.tracer,
      clock: config.clock ?? systemClock,
      provider: COMPUTE_PROVIDER_DAYTONA,
      spanName: SPAN_DAYTONA_SANDBOX,
    });
  }

  protected override init() {
    return [
      new InstrumentationNodeModuleDefinition(
        MODULE,
        SUPPORTED_VERSIONS,
        (moduleExports) => {
          this.patchModule(moduleExports);
          return moduleExports;
        },
        () => this.unpatchAll(),
      ),
      new InstrumentationNodeModuleDefinition(
        MODULE,
        UNSUPPORTED_VERSIONS,
        declineUnsupportedVersions(MODULE, SUPPORTED_VERSIONS.join(', '), (message) => this._diag.warn(message)),
      ),
    ];
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
    this.wrap(client, 'create', (original) => this.tracedCreate(original));
    this.wrap(client, 'get', (original) => this.tracedGet(original));
    this.wrap(sandbox, 'start', (original) => this.tracedStart(original));
    for (const [method, span, reason] of ENDS) {
      this.wrap(sandbox, method, (original) => this.tracedEnd(original, span, reason));
    }
    this.wrap(sandbox, 'setAutostopInterval', (original) => this.tracedSetAutostop(original));
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

  private trace<T>(name: string, attributes: Attributes, call: () => Promise<T>, hooks?: SandboxCallHooks<T>) {
    return traceSandboxCall(this.tracer, name, attributes, call, hooks);
  }

  private tracedCreate(original: AnyFn): AnyFn {
    const inst = this;
    return function create(this: unknown, ...args: unknown[]) {
      const startMs = inst.intervals.now();
      return inst.trace(SPAN_DAYTONA_CREATE, {}, () => original.apply(this, args), {
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
      return inst.trace(SPAN_DAYTONA_GET, {}, () => original.apply(this, args), {
        onResult(sandbox, op) {
          if (!isSandbox(sandbox)) return;
          op.finisher.setAttributes({ [ATTR_COMPUTE_SANDBOX_ID]: sandbox.id });
          inst.bind(sandbox);
          if (sandbox.state === 'started') inst.running(sandbox, op.parent, inst.intervals.now(), false);
        },
      });
    };
  }

  private tracedStart(original: AnyFn): AnyFn {
    const inst = this;
    return function start(this: SandboxLike, ...args: unknown[]) {
      const startMs = inst.intervals.now();
      return inst.trace(SPAN_DAYTONA_START, idAttributes(this), () => original.apply(this, args), {
        onResult: (_result, op) => inst.running(this, op.parent, startMs, false),
      });
    };
  }

  private tracedEnd(original: AnyFn, span: string, reason: string): AnyFn {
    const inst = this;
    return function end(this: SandboxLike, ...args: unknown[]) {
      return inst.trace(span, idAttributes(this), () => original.apply(this, args), {
        onResult: () => inst.intervals.end(this.id, reason),
      });
    };
  }

  private tracedSetAutostop(original: AnyFn): AnyFn {
    const inst = this;
    return function setAutostopInterval(this: SandboxLike, ...args: unknown[]) {
      return inst.trace(SPAN_DAYTONA_SET_AUTOSTOP, idAttributes(this), () => original.apply(this, args), {
        onResult: () => inst.touch(this),
      });
    };
  }

  /** `sandbox` is running since `startMs`: open its interval, with its size and auto-stop expiry. */
  private running(sandbox: SandboxLike, parent: Context, startMs: number, created: boolean): void {
    this.bind(sandbox);
    this.intervals.start(sandbox.id, { parent, startMs, size: sizeOf(sandbox), created });
    this.touch(sandbox);
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
      const attributes = idAttributes(sandbox);
      if (typeof args[0] === 'string' && shouldCaptureContent(inst.getConfig().captureContent)) {
        attributes[ATTR_PROCESS_COMMAND_LINE] = args[0].slice(0, 8192);
      }
      inst.touch(sandbox);
      return inst.trace(span, attributes, () => original.apply(this, args), {
        onResult(response, op) {
          const exitCode = (response as { exitCode?: unknown } | undefined)?.exitCode;
          if (typeof exitCode === 'number') op.finisher.setAttributes({ [ATTR_PROCESS_EXIT_CODE]: exitCode });
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
      return inst.trace(SPAN_DAYTONA_FS_PREFIX + method, idAttributes(sandbox), () => original.apply(this, args), {
        onResult: () => inst.touch(sandbox),
        onError: () => inst.touch(sandbox),
      });
    };
  }
}

function idAttributes(sandbox: SandboxLike | undefined): Attributes {
  return isSandbox(sandbox) ? { [ATTR_COMPUTE_SANDBOX_ID]: sandbox.id } : {};
}
