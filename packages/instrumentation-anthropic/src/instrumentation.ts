import { admitLlmCall, captureContentFor, ManualTargets, sdkModuleDefinitions } from '@agentburn/core';
import { context, INVALID_SPAN_CONTEXT, SpanKind, trace } from '@opentelemetry/api';
import { InstrumentationBase, InstrumentationNodeModuleDefinition } from '@opentelemetry/instrumentation';
import { MessagesCall } from './call';
import { inputContentAttributes } from './content';
import { isObject, type JsonObject, type MessageParams, requestAttributes, spanName } from './messages';
import { sdkSpanGiven, sdkTracesCall, withoutSdkTracing } from './native';
import type { AnthropicInstrumentationConfig } from './types';
import { PACKAGE_NAME, PACKAGE_VERSION, SDK_MODULE, SUPPORTED_VERSIONS, UNSUPPORTED_VERSIONS } from './version';

const SDK = { name: SDK_MODULE, supported: [SUPPORTED_VERSIONS], unsupported: UNSUPPORTED_VERSIONS };

// biome-ignore lint/suspicious/noExplicitAny: the SDK methods' own signatures, passed through untouched
type AnyFunction = (this: any, ...args: any[]) => any;
interface MessagesPrototype {
  create: AnyFunction;
  stream?: AnyFunction;
}

// Marks our wrappers with the instance that made them, so another instance replaces rather than stacks them.
const OWNER = Symbol.for('agentburn.instrumentation-anthropic.owner');

/**
 * Traces `messages.create` (plain and streamed), `messages.stream()` and
 * `beta.messages.*` of `@anthropic-ai/sdk` as GenAI `chat {model}` spans.
 * Patches the `Messages` classes reachable from the SDK's client class, so one
 * patch covers every client instance.
 */
export class AnthropicInstrumentation extends InstrumentationBase<AnthropicInstrumentationConfig> {
  // `declare`d, not initialised: the base constructor runs `init()` and `enable()` before field initialisers.
  declare private patchedPrototypes?: WeakSet<object>;
  /** Targets patched by hand: unpatched on disable(), patched again on enable(). */
  private readonly manualTargets = new ManualTargets({
    sdk: SDK_MODULE,
    diag: this._diag,
    isEnabled: () => this.isEnabled(),
    patch: (target) => this.patchTarget(target),
    unpatch: (target) => this.unpatchTarget(target),
  });

  constructor(config: AnthropicInstrumentationConfig = {}) {
    super(PACKAGE_NAME, PACKAGE_VERSION, config);
  }

  protected override init() {
    return sdkModuleDefinitions(
      InstrumentationNodeModuleDefinition,
      SDK,
      (exports) => this.patchTarget(exports),
      (exports) => this.unpatchTarget(exports),
      (message) => this._diag.warn(message),
    );
  }

  /**
   * Manual escape hatch for bundled code, where no require or import hook
   * sees the SDK: pass the SDK module (`import * as sdk from
   * '@anthropic-ai/sdk'`) or its client class (`Anthropic`). Returns whether
   * it holds anything to patch. Patching twice is a no-op; `disable()` and
   * `enable()` undo and redo it.
   */
  manuallyInstrument(target: unknown): boolean {
    return this.manualTargets.add(target);
  }

  /** {@link manuallyInstrument}, by its earlier name. */
  patch(target: unknown): boolean {
    return this.manuallyInstrument(target);
  }

  /** Undoes {@link manuallyInstrument}. */
  unpatch(target: unknown): void {
    this.manualTargets.remove(target);
  }

  override enable(): void {
    super.enable();
    this.manualTargets?.patchAll();
  }

  override disable(): void {
    super.disable();
    this.manualTargets?.unpatchAll();
  }

  private messagesPrototypes(target: unknown): MessagesPrototype[] {
    if (!isObject(target) && typeof target !== 'function') return [];
    const host = target as JsonObject;
    // The module (CJS exports or ESM namespace), or the client class itself.
    const client = typeof host.Messages === 'function' ? host : (host.Anthropic ?? host.default);
    const classes = [client?.Messages, client?.Beta?.Messages];
    return classes
      .map((cls) => cls?.prototype)
      .filter((proto): proto is MessagesPrototype => isObject(proto) && typeof proto.create === 'function');
  }

  private patchTarget(target: unknown): boolean {
    let patched = false;
    for (const proto of this.messagesPrototypes(target)) {
      const done = (this.patchedPrototypes ??= new WeakSet());
      patched = true;
      if (done.has(proto) && ownerOf(proto.create) === this) continue;
      // Another instance of this instrumentation got here first: replace its wrappers rather than stack ours.
      if (ownerOf(proto.create)) this._unwrap(proto, 'create');
      if (ownerOf(proto.stream)) this._unwrap(proto as Required<MessagesPrototype>, 'stream');
      this._wrap(proto, 'create', (original) => this.mark(this.wrapCreate(original)));
      if (typeof proto.stream === 'function') {
        this._wrap(proto as Required<MessagesPrototype>, 'stream', (original) => this.mark(this.wrapStream(original)));
      }
      done.add(proto);
    }
    return patched;
  }

  private unpatchTarget(target: unknown): void {
    for (const proto of this.messagesPrototypes(target)) {
      this.patchedPrototypes?.delete(proto);
      if (ownerOf(proto.create) === this) this._unwrap(proto, 'create');
      if (ownerOf(proto.stream) === this) this._unwrap(proto as Required<MessagesPrototype>, 'stream');
    }
  }

  private mark<T extends AnyFunction>(wrapper: T): T {
    Object.defineProperty(wrapper, OWNER, { value: this });
    return wrapper;
  }

  private wrapCreate(original: AnyFunction): AnyFunction {
    const instrumentation = this;
    return function create(this: unknown, ...callerArgs: unknown[]) {
      let args = callerArgs;
      let call: MessagesCall | undefined;
      try {
        call = instrumentation.startCall(this, args);
      } catch {
        call = undefined;
      }
      if (!call) return original.apply(this, args);
      const { span, ours } = call;
      // The budget, if one is active, may refuse the call or lower `max_tokens` before anything is sent.
      const admission = admitLlmCall(call.finisher, {
        body: args[0],
        attributes: call.requestAttributes,
        spanName: spanName(args[0] as MessageParams),
        capField: 'max_tokens',
      });
      if (admission?.refusal) return admission.refusal;
      if (admission !== undefined && admission.body !== args[0]) args = [admission.body, ...args.slice(1)];
      let result: unknown;
      try {
        result = instrumentation.invoke(this, ours, () =>
          // Our span is the parent of the HTTP request; a deferred call keeps the caller's context.
          ours
            ? context.with(trace.setSpan(context.active(), span), () => original.apply(this, args))
            : original.apply(this, args),
        );
      } catch (error) {
        call.fail(error);
        throw error;
      }
      call.attach(result);
      return result;
    };
  }

  /** `messages.stream()` starts the SDK's span before it calls `create()`, so `disable` must act here too. */
  private wrapStream(original: AnyFunction): AnyFunction {
    const instrumentation = this;
    return function stream(this: unknown, ...args: unknown[]) {
      return instrumentation.invoke(this, true, () => original.apply(this, args));
    };
  }

  /** Runs an SDK method, with the SDK's own tracing off for that call when ours replaces it (`disable`). */
  private invoke<T>(resource: unknown, ours: boolean, fn: () => T): T {
    if (!ours || this.getConfig().nativeTracing !== 'disable') return fn();
    return withoutSdkTracing((resource as { _client?: unknown } | undefined)?._client, fn);
  }

  /** Starts the call; its span is non-recording when the SDK traces the call itself (metrics only, then). */
  private startCall(resource: unknown, args: unknown[]): MessagesCall | undefined {
    const params = args[0];
    if (!isObject(params)) return undefined;
    const config = this.getConfig();
    const client = (resource as { _client?: { baseURL?: unknown } } | undefined)?._client;
    const attributes = requestAttributes(params as MessageParams, client?.baseURL);
    // In `disable` mode only a span a stream helper already started (none, once `stream()` is wrapped) wins.
    const native = config.nativeTracing === 'disable' ? sdkSpanGiven(args[1]) : sdkTracesCall(client, args[1]);
    const captureContent = !native && captureContentFor(config);
    const span = native
      ? trace.wrapSpanContext(INVALID_SPAN_CONTEXT)
      : this.tracer.startSpan(spanName(params as MessageParams), { kind: SpanKind.CLIENT, attributes });
    if (captureContent) span.setAttributes(inputContentAttributes(params as MessageParams));
    return new MessagesCall(span, !native, attributes, {
      captureContent,
      unreadTimeoutMs: config.unreadStreamTimeoutMs,
      stallTimeoutMs: config.stalledStreamTimeoutMs,
      meter: this.meter,
    });
  }
}

/** The instance whose wrapper `fn` is, if it is one of ours. */
function ownerOf(fn: unknown): AnthropicInstrumentation | undefined {
  return typeof fn === 'function' ? (fn as { [OWNER]?: AnthropicInstrumentation })[OWNER] : undefined;
}
