import {
  admitLlmCall,
  captureContentFor,
  GEN_AI_OPERATION_CHAT,
  ManualTargets,
  sdkModuleDefinitions,
} from '@agentburn/core';
import { context, SpanKind, trace } from '@opentelemetry/api';
import { InstrumentationBase, InstrumentationNodeModuleDefinition } from '@opentelemetry/instrumentation';
import { budgetAdapter } from './budget';
import { BedrockCall } from './call';
import { converseInputAttributes } from './converse';
import { invokeInputAttributes, parseBody } from './invoke';
import {
  COMMAND_KINDS,
  type Command,
  type CommandKind,
  operationName,
  requestAttributes,
  serverAttributesOf,
  spanName,
  withInput,
} from './request';
import type { BedrockInstrumentationConfig } from './types';
import { isObject, type JsonObject } from './usage';
import { PACKAGE_NAME, PACKAGE_VERSION, SDK_MODULE, SUPPORTED_VERSIONS, UNSUPPORTED_VERSIONS } from './version';

const SDK = { name: SDK_MODULE, supported: [SUPPORTED_VERSIONS], unsupported: UNSUPPORTED_VERSIONS };

// biome-ignore lint/suspicious/noExplicitAny: the SDK method's own signature, passed through untouched
type AnyFunction = (this: any, ...args: any[]) => any;
interface ClientPrototype {
  send: AnyFunction;
}

// Marks our wrappers with the instance that made them, so another instance replaces rather than stacks them.
const OWNER = Symbol.for('agentburn.instrumentation-bedrock.owner');

/**
 * Traces the inference commands of `@aws-sdk/client-bedrock-runtime`
 * (`ConverseCommand`, `ConverseStreamCommand`, `InvokeModelCommand`,
 * `InvokeModelWithResponseStreamCommand`) sent through `client.send()` (the
 * aggregated `BedrockRuntime` client's methods send through it too), one
 * CLIENT span per call. Other commands pass straight through. Patches
 * `BedrockRuntimeClient.prototype.send`, so one patch covers every client.
 */
export class BedrockInstrumentation extends InstrumentationBase<BedrockInstrumentationConfig> {
  // `declare`d, not initialised: the base constructor runs `init()` and `enable()` before field initialisers.
  /** The command classes of every patched module, to tell commands apart even when a bundler renamed them. */
  declare private commandClasses?: WeakMap<object, CommandKind>;
  /** Targets patched by hand: unpatched on disable(), patched again on enable(). */
  private readonly manualTargets = new ManualTargets({
    sdk: SDK_MODULE,
    diag: this._diag,
    isEnabled: () => this.isEnabled(),
    patch: (target) => this.patchTarget(target),
    unpatch: (target) => this.unpatchTarget(target),
  });

  constructor(config: BedrockInstrumentationConfig = {}) {
    super(PACKAGE_NAME, PACKAGE_VERSION, config);
  }

  protected override init() {
    return sdkModuleDefinitions(
      InstrumentationNodeModuleDefinition,
      SDK,
      (exports, version) => {
        if (!this.patchTarget(exports)) {
          this._diag.warn(
            `${SDK_MODULE}@${version ?? 'unknown'}: no BedrockRuntimeClient found; its calls are not traced`,
          );
        }
      },
      (exports) => this.unpatchTarget(exports),
      (message) => this._diag.warn(message),
    );
  }

  /**
   * Manual escape hatch for bundled code, where no require or import hook
   * sees the SDK: pass the SDK module (`import * as bedrock from
   * '@aws-sdk/client-bedrock-runtime'`), its `BedrockRuntimeClient` class,
   * or a client. Returns whether it holds anything to patch. Patching twice
   * is a no-op; `disable()` and `enable()` undo and redo it.
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

  private clientPrototype(target: unknown): ClientPrototype | undefined {
    if (!isObject(target) && typeof target !== 'function') return undefined;
    const host = target as JsonObject;
    // The module (CJS exports or ESM namespace), the client class, or a client instance.
    const cls =
      host.BedrockRuntimeClient ??
      (typeof host === 'function' ? host : isObject(host.config) ? host.constructor : undefined);
    const proto = cls?.prototype;
    return isObject(proto) && typeof proto.send === 'function' ? (proto as ClientPrototype) : undefined;
  }

  private patchTarget(target: unknown): boolean {
    const proto = this.clientPrototype(target);
    if (!proto) return false;
    this.rememberCommandClasses(target);
    if (ownerOf(proto.send) === this) return true;
    // Another instance of this instrumentation got here first: replace its wrapper rather than stack ours.
    if (ownerOf(proto.send)) this._unwrap(proto, 'send');
    this._wrap(proto, 'send', (original: AnyFunction) => this.mark(this.wrapSend(original)));
    return true;
  }

  private unpatchTarget(target: unknown): void {
    const proto = this.clientPrototype(target);
    if (proto && ownerOf(proto.send) === this) this._unwrap(proto, 'send');
  }

  private rememberCommandClasses(target: unknown): void {
    if (!isObject(target)) return;
    const classes = (this.commandClasses ??= new WeakMap());
    for (const [name, kind] of Object.entries(COMMAND_KINDS)) {
      const cls = (target as JsonObject)[name];
      if (typeof cls === 'function') classes.set(cls, kind);
    }
  }

  private mark<T extends AnyFunction>(wrapper: T): T {
    Object.defineProperty(wrapper, OWNER, { value: this });
    return wrapper;
  }

  private commandOf(command: unknown): Command | undefined {
    if (!isObject(command) || !isObject(command.input)) return undefined;
    const ctor = command.constructor;
    const kind = this.commandClasses?.get(ctor) ?? COMMAND_KINDS[typeof ctor?.name === 'string' ? ctor.name : ''];
    return kind ? { kind, input: command.input } : undefined;
  }

  private wrapSend(original: AnyFunction): AnyFunction {
    const instrumentation = this;
    return function send(this: unknown, ...args: unknown[]) {
      let call: BedrockCall | undefined;
      try {
        call = instrumentation.startCall(this, args[0]);
      } catch {
        call = undefined;
      }
      if (!call) return original.apply(this, args);
      const traced = call;
      // The callback form `send(command, [options,] callback)`: the callback sees what it always saw.
      const callbackIndex = typeof args[1] === 'function' ? 1 : typeof args[2] === 'function' ? 2 : -1;
      // The budget, if one is active, may refuse the call or lower its output cap (in a copy of the command) before anything is sent.
      const { command } = traced;
      const admission = admitLlmCall(traced.finisher, {
        body: command.input,
        attributes: traced.requestAttributes,
        spanName: spanName(operationName(command), command),
        adapter: budgetAdapter(command),
      });
      if (admission?.refusal) {
        if (callbackIndex < 0) return admission.refusal;
        // As the SDK calls back: an error the callback throws goes nowhere (never an unhandled rejection).
        admission.refusal.catch(args[callbackIndex] as (error: unknown) => void).catch(() => {});
        return undefined;
      }
      if (admission !== undefined && admission.body !== command.input) args[0] = withInput(args[0], admission.body);
      if (callbackIndex >= 0) {
        const callback = args[callbackIndex] as (error: unknown, output?: unknown) => void;
        args[callbackIndex] = (error: unknown, output?: unknown) => {
          if (error) traced.fail(error);
          else traced.onOutput(output);
          callback(error, output);
        };
      }
      let result: unknown;
      try {
        // Our span is the parent of the HTTP request.
        result = context.with(trace.setSpan(context.active(), traced.finisher.span), () => original.apply(this, args));
      } catch (error) {
        traced.fail(error);
        throw error;
      }
      if (callbackIndex >= 0) return result;
      try {
        return traced.follow(result);
      } catch {
        return result;
      }
    };
  }

  private startCall(client: unknown, rawCommand: unknown): BedrockCall | undefined {
    const command = this.commandOf(rawCommand);
    if (!command) return undefined;
    const config = this.getConfig();
    const operation = operationName(command);
    const attributes = requestAttributes(operation, command);
    const span = this.tracer.startSpan(spanName(operation, command), { kind: SpanKind.CLIENT, attributes });
    // Content of chat calls only (an embedding's input is not a conversation); InvokeModel bodies per model family.
    const captureContent = operation === GEN_AI_OPERATION_CHAT && captureContentFor(config);
    if (captureContent) {
      const converse = command.kind === 'converse' || command.kind === 'converse_stream';
      span.setAttributes(
        converse ? converseInputAttributes(command.input) : invokeInputAttributes(parseBody(command.input.body)),
      );
    }
    const call = new BedrockCall(span, attributes, command, {
      captureContent,
      unreadTimeoutMs: config.unreadStreamTimeoutMs,
      meter: this.meter,
    });
    serverAttributesOf(client).then(
      (server) => call.addRequestAttributes(server),
      () => {},
    );
    return call;
  }
}

/** The instance whose wrapper `fn` is, if it is one of ours. */
function ownerOf(fn: unknown): BedrockInstrumentation | undefined {
  return typeof fn === 'function' ? (fn as { [OWNER]?: BedrockInstrumentation })[OWNER] : undefined;
}
