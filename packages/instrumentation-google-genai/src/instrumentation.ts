import {
  admitLlmCall,
  captureContentFor,
  GEN_AI_OPERATION_COUNT_TOKENS,
  GEN_AI_OPERATION_EMBEDDINGS,
  GEN_AI_OPERATION_GENERATE_CONTENT,
  type LlmRequestAdapter,
  ManualTargets,
  sdkModuleDefinitions,
} from '@agentburn/core';
import { type Attributes, context, SpanKind, trace } from '@opentelemetry/api';
import { InstrumentationBase, InstrumentationNodeModuleDefinition } from '@opentelemetry/instrumentation';
import { embedContentRequest, generateContentRequest } from './budget';
import { GenerateCall, type ResultReader } from './call';
import { inputContentAttributes } from './content';
import {
  clientAttributes,
  isObject,
  type JsonObject,
  type RequestParams,
  requestAttributes,
  spanName,
} from './request';
import { embeddingAttributes, responseAttributes } from './response';
import type { GoogleGenAIInstrumentationConfig } from './types';
import { PACKAGE_NAME, PACKAGE_VERSION, SDK_MODULE, SUPPORTED_VERSIONS, UNSUPPORTED_VERSIONS } from './version';

const SDK = { name: SDK_MODULE, supported: [SUPPORTED_VERSIONS], unsupported: UNSUPPORTED_VERSIONS };

// biome-ignore lint/suspicious/noExplicitAny: the SDK methods' own signatures, passed through untouched
type AnyFunction = (this: any, ...args: any[]) => any;
type ModelsPrototype = Record<string, AnyFunction>;

/**
 * The `Models` methods that each send exactly one request: the public
 * `generateContent` / `generateContentStream` / `embedContent` are loops over
 * these (automatic function calling, continuation), and `chats` send through
 * them too, so one span per billed request comes from patching these alone.
 */
interface Method {
  name: string;
  operation: string;
  /** How the result becomes attributes; absent for a stream. */
  read?: ResultReader;
  /** How a budget reads the request; absent for a call that costs nothing (`countTokens`). */
  budget?: LlmRequestAdapter<RequestParams>;
}
const GENERATE: Method = {
  name: 'generateContentInternal',
  operation: GEN_AI_OPERATION_GENERATE_CONTENT,
  read: responseAttributes,
  budget: generateContentRequest,
};
const GENERATE_STREAM: Method = {
  name: 'generateContentStreamInternal',
  operation: GEN_AI_OPERATION_GENERATE_CONTENT,
  budget: generateContentRequest,
};
/** `embedContentInternal` in recent SDKs; `embedContent` itself, on the prototype, in early 1.x. */
const EMBED: Method[] = [
  {
    name: 'embedContentInternal',
    operation: GEN_AI_OPERATION_EMBEDDINGS,
    read: embeddingAttributes,
    budget: embedContentRequest,
  },
  {
    name: 'embedContent',
    operation: GEN_AI_OPERATION_EMBEDDINGS,
    read: embeddingAttributes,
    budget: embedContentRequest,
  },
];
const COUNT_TOKENS: Method = { name: 'countTokens', operation: GEN_AI_OPERATION_COUNT_TOKENS, read: () => ({}) };

// Marks our wrappers with the instance that made them, so another instance replaces rather than stacks them.
const OWNER = Symbol.for('agentburn.instrumentation-google-genai.owner');

/**
 * Traces `@google/genai` model calls (`models.generateContent`,
 * `generateContentStream`, `embedContent`, `countTokens`, and `chats`,
 * which send through them) on the Gemini API and on Vertex AI, one CLIENT
 * span per request. Patches the SDK's `Models` class, so one patch covers
 * every client instance.
 */
export class GoogleGenAIInstrumentation extends InstrumentationBase<GoogleGenAIInstrumentationConfig> {
  /** Targets patched by hand: unpatched on disable(), patched again on enable(). */
  private readonly manualTargets = new ManualTargets({
    sdk: SDK_MODULE,
    diag: this._diag,
    isEnabled: () => this.isEnabled(),
    patch: (target) => this.patchTarget(target),
    unpatch: (target) => this.unpatchTarget(target),
  });

  constructor(config: GoogleGenAIInstrumentationConfig = {}) {
    super(PACKAGE_NAME, PACKAGE_VERSION, config);
  }

  protected override init() {
    return sdkModuleDefinitions(
      InstrumentationNodeModuleDefinition,
      SDK,
      (exports, version) => {
        if (!this.patchTarget(exports)) {
          this._diag.warn(`${SDK_MODULE}@${version ?? 'unknown'}: no Models class found; its calls are not traced`);
        }
      },
      (exports) => this.unpatchTarget(exports),
      (message) => this._diag.warn(message),
    );
  }

  /**
   * Manual escape hatch for bundled code, where no require or import hook
   * sees the SDK: pass the SDK module (`import * as genai from
   * '@google/genai'`), its `Models` class, or a client (`new GoogleGenAI()`).
   * Returns whether it holds anything to patch. Patching twice is a no-op;
   * `disable()` and `enable()` undo and redo it.
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

  private modelsPrototype(target: unknown): ModelsPrototype | undefined {
    if (!isObject(target) && typeof target !== 'function') return undefined;
    const host = target as JsonObject;
    // The module (CJS exports or ESM namespace), the `Models` class, or a client instance.
    const cls = host.Models ?? (typeof host === 'function' ? host : host.models?.constructor);
    const proto = cls?.prototype;
    return isObject(proto) && typeof proto[GENERATE.name] === 'function' ? (proto as ModelsPrototype) : undefined;
  }

  private methodsOf(proto: ModelsPrototype): Method[] {
    const embed = EMBED.find((method) => Object.hasOwn(proto, method.name) && typeof proto[method.name] === 'function');
    return [GENERATE, GENERATE_STREAM, COUNT_TOKENS, ...(embed ? [embed] : [])].filter(
      (method) => typeof proto[method.name] === 'function',
    );
  }

  private patchTarget(target: unknown): boolean {
    const proto = this.modelsPrototype(target);
    if (!proto) return false;
    for (const method of this.methodsOf(proto)) {
      const current = proto[method.name];
      if (ownerOf(current) === this) continue;
      // Another instance of this instrumentation got here first: replace its wrapper rather than stack ours.
      if (ownerOf(current)) this._unwrap(proto, method.name);
      this._wrap(proto, method.name, (original: AnyFunction) => this.mark(this.wrapMethod(original, method)));
    }
    return true;
  }

  private unpatchTarget(target: unknown): void {
    const proto = this.modelsPrototype(target);
    if (!proto) return;
    for (const method of this.methodsOf(proto)) {
      if (ownerOf(proto[method.name]) === this) this._unwrap(proto, method.name);
    }
  }

  private mark<T extends AnyFunction>(wrapper: T): T {
    Object.defineProperty(wrapper, OWNER, { value: this });
    return wrapper;
  }

  private wrapMethod(original: AnyFunction, method: Method): AnyFunction {
    const instrumentation = this;
    return function traced(this: unknown, ...callerArgs: unknown[]) {
      let args = callerArgs;
      let call: GenerateCall | undefined;
      try {
        call = instrumentation.startCall(this, method, args[0]);
      } catch {
        call = undefined;
      }
      if (!call) return original.apply(this, args);
      if (method.budget) {
        // The budget, if one is active, may refuse the call or lower `maxOutputTokens` (on a copy) before anything is sent.
        const params = args[0] as RequestParams;
        const admission = admitLlmCall(call.finisher, {
          body: params,
          attributes: call.requestAttributes,
          spanName: spanName(method.operation, params),
          adapter: method.budget,
        });
        if (admission?.refusal) return admission.refusal;
        if (admission !== undefined && admission.body !== params) args = [admission.body, ...args.slice(1)];
      }
      let result: unknown;
      try {
        // Our span is the parent of the HTTP request.
        result = context.with(trace.setSpan(context.active(), call.finisher.span), () => original.apply(this, args));
      } catch (error) {
        call.fail(error);
        throw error;
      }
      try {
        return method.read ? call.followResult(result, method.read) : call.followStream(result);
      } catch {
        return result;
      }
    };
  }

  private startCall(models: unknown, method: Method, params: unknown): GenerateCall | undefined {
    if (!isObject(params)) return undefined;
    const config = this.getConfig();
    const attributes: Attributes = requestAttributes(
      method.operation,
      params as RequestParams,
      clientAttributes(models),
      method === GENERATE_STREAM,
    );
    const span = this.tracer.startSpan(spanName(method.operation, params as RequestParams), {
      kind: SpanKind.CLIENT,
      attributes,
    });
    const captureContent = method.operation === GEN_AI_OPERATION_GENERATE_CONTENT && captureContentFor(config);
    if (captureContent) span.setAttributes(inputContentAttributes(params as RequestParams));
    return new GenerateCall(span, attributes, {
      captureContent,
      unreadTimeoutMs: config.unreadStreamTimeoutMs,
      meter: this.meter,
    });
  }
}

/** The instance whose wrapper `fn` is, if it is one of ours. */
function ownerOf(fn: unknown): GoogleGenAIInstrumentation | undefined {
  return typeof fn === 'function' ? (fn as { [OWNER]?: GoogleGenAIInstrumentation })[OWNER] : undefined;
}
