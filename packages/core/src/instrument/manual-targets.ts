import type { DiagLogger } from '@opentelemetry/api';

/** What an instrumentation tells {@link ManualTargets} about itself. */
export interface ManualTargetsOptions {
  /** The SDK's package name, for messages. */
  sdk: string;
  /** The instrumentation's own logger. */
  diag: DiagLogger;
  /** Whether the instrumentation is enabled: a target given while disabled is patched on `enable()`. */
  isEnabled(): boolean;
  /** Patches what `target` holds (idempotently); false when it holds nothing this instrumentation knows. */
  patch(target: unknown): boolean;
  /** Undoes `patch(target)`. */
  unpatch(target: unknown): void;
}

/**
 * The manual escape hatch every instrumentation offers for bundled code,
 * where no require or import hook sees the SDK: the targets patched by hand
 * are remembered, so `disable()` unpatches them and `enable()` patches them
 * again, as the base class does for modules its hooks loaded. A target with
 * nothing to patch is declined with one message; nothing here throws into
 * the caller.
 */
export class ManualTargets {
  private readonly targets = new Set<unknown>();

  constructor(private readonly options: ManualTargetsOptions) {}

  /**
   * Remembers `target` and patches it now if the instrumentation is enabled,
   * else on `enable()`. Returns false, with one message, when it has nothing
   * to patch (known once enabled). Giving the same target again patches
   * nothing twice.
   */
  add(target: unknown): boolean {
    if (this.options.isEnabled() && !this.tryPatch(target)) return false;
    this.targets.add(target);
    return true;
  }

  /** Forgets `target` and unpatches it. */
  remove(target: unknown): void {
    this.targets.delete(target);
    this.tryUnpatch(target);
  }

  /** For `enable()`: patches every remembered target again. */
  patchAll(): void {
    for (const target of this.targets) {
      if (!this.tryPatch(target)) this.targets.delete(target);
    }
  }

  /** For `disable()`: unpatches every remembered target, still remembered for the next `enable()`. */
  unpatchAll(): void {
    for (const target of this.targets) this.tryUnpatch(target);
  }

  private tryPatch(target: unknown): boolean {
    const { sdk, diag } = this.options;
    try {
      if (this.options.patch(target)) return true;
      diag.warn(`manual instrumentation: no ${sdk} module, class or client in what was given; nothing patched`);
    } catch (error) {
      diag.error(`manual instrumentation of ${sdk} failed; nothing patched`, error);
    }
    return false;
  }

  private tryUnpatch(target: unknown): void {
    try {
      this.options.unpatch(target);
    } catch (error) {
      this.options.diag.error(`manual instrumentation of ${this.options.sdk}: unpatching failed`, error);
    }
  }
}
