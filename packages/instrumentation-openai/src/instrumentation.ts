import {
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  admitLlmCall,
  captureContentFor,
  ManualTargets,
  recordCallMetrics,
  SpanFinisher,
  sdkModuleDefinitions,
} from '@agentburn/core';
import { type Attributes, type Context, context, createNoopMeter, SpanKind, trace } from '@opentelemetry/api';
import { InstrumentationBase, InstrumentationNodeModuleDefinition } from '@opentelemetry/instrumentation';
import { Call } from './call';
import { chatCompletions } from './chat';
import { embeddings } from './embeddings';
import type { Operation, Payload } from './operation';
import { endpointAttributes } from './provider';
import { responses } from './responses';
import type { OpenAIInstrumentationConfig } from './types';
import { PACKAGE_NAME, PACKAGE_VERSION } from './version';

/** openai majors 4, 5, 6 and 7 (7 needs Node >= 22). */
export const SUPPORTED_VERSIONS = ['>=4.0.0 <8'];
const SDK = { name: 'openai', supported: SUPPORTED_VERSIONS, unsupported: ['<4.0.0', '>=8.0.0'] };

const NOOP_METER = createNoopMeter();

/** Marks our wrappers, so a second copy of this package never wraps a method twice. */
const WRAPPED = Symbol.for('agentburn.instrumentation-openai.wrapped');

type Resource = { _client?: unknown };
type Create = (this: Resource, ...args: unknown[]) => unknown;
type PatchTarget = { prototype: { create: Create }; operation: Operation };

/**
 * Traces `chat.completions.create`, `responses.create` and
 * `embeddings.create` of the `openai` SDK. Every helper built on them
 * (`chat.completions.parse()`, `.stream()`, `runTools()`, `responses.parse()`,
 * `responses.stream()`) makes one span per HTTP call through them. SDK
 * retries happen inside one `create()` call, so they share its span.
 */
export class OpenAIInstrumentation extends InstrumentationBase<OpenAIInstrumentationConfig> {
  // The base constructor calls enable() before these fields exist; every use tolerates that.
  /** Prototypes wrapped by this instance, by identity (CJS and ESM copies are distinct classes). */
  private readonly patchedPrototypes = new WeakSet<object>();
  /** Targets given to manuallyInstrument(), re-patched on enable() and unpatched on disable(). */
  private readonly manualTargets = new ManualTargets({
    sdk: 'openai',
    diag: this._diag,
    isEnabled: () => this.isEnabled(),
    patch: (target) => this.patchModule(target),
    unpatch: (target) => this.unpatchModule(target),
  });
  /** Base URLs whose server answered the injected `stream_options` with a 400: never injected again. */
  private readonly streamOptionsRejected = new Set<string>();

  constructor(config: OpenAIInstrumentationConfig = {}) {
    super(PACKAGE_NAME, PACKAGE_VERSION, config);
  }

  protected override init() {
    return sdkModuleDefinitions(
      InstrumentationNodeModuleDefinition,
      SDK,
      (moduleExports) => this.patchModule(moduleExports),
      (moduleExports) => this.unpatchModule(moduleExports),
      (message) => this._diag.warn(message),
    );
  }

  /**
   * Instruments an `openai` module, `OpenAI` class or client by hand, for
   * bundled code the module hooks never see. Returns whether it holds
   * anything to patch. Safe to call more than once.
   */
  manuallyInstrument(target: unknown): boolean {
    return this.manualTargets.add(target);
  }

  override enable(): void {
    super.enable();
    this.manualTargets?.patchAll();
  }

  override disable(): void {
    super.disable();
    this.manualTargets?.unpatchAll();
  }

  /** Returns whether `moduleExports` holds anything to patch. */
  private patchModule(moduleExports: unknown): boolean {
    const targets = patchTargets(moduleExports);
    for (const { prototype, operation } of targets) {
      if (this.patchedPrototypes.has(prototype) || isOurs(prototype.create)) continue;
      this._wrap(prototype, 'create', (original: Create) => this.tracedCreate(operation, original));
      this.patchedPrototypes.add(prototype);
    }
    return targets.length > 0;
  }

  private unpatchModule(moduleExports: unknown): void {
    for (const { prototype } of patchTargets(moduleExports)) {
      if (!this.patchedPrototypes.delete(prototype)) continue;
      this._unwrap(prototype, 'create');
    }
  }

  private tracedCreate(operation: Operation, original: Create): Create {
    const instrumentation = this;
    const traced: Create = function tracedCreate(this: Resource, ...args: unknown[]) {
      const body = args[0] as Payload;
      let call: Call;
      let sendBody = body;
      let baseURL = '';
      let refusal: Promise<never> | undefined;
      let callContext: Context;
      try {
        const config = instrumentation.getConfig();
        const captureContent = captureContentFor(config);
        baseURL = baseUrlOf(this);
        const injectStreamUsage =
          config.injectStreamUsage !== false && !instrumentation.streamOptionsRejected.has(baseURL);
        sendBody = operation.prepare?.(body, injectStreamUsage) ?? body;
        // The span's start attributes, written straight into one object.
        const attributes: Attributes = { [ATTR_GEN_AI_OPERATION_NAME]: operation.name };
        Object.assign(attributes, endpointAttributes(this?._client as object | undefined));
        operation.requestAttributes(body, captureContent, attributes);
        const model = attributes[ATTR_GEN_AI_REQUEST_MODEL];
        const spanName = model ? `${operation.name} ${model}` : operation.name;
        const span = instrumentation.tracer.startSpan(spanName, { kind: SpanKind.CLIENT, attributes });
        callContext = trace.setSpan(context.active(), span);
        // Without a metrics SDK the meter is the API's no-op one: skip the per-call work.
        const meter = instrumentation.meter;
        const finisher = new SpanFinisher(
          span,
          meter === NOOP_METER
            ? undefined
            : ({ durationSeconds, error }) =>
                recordCallMetrics(meter, attributes, call.resultAttributes, durationSeconds, error),
        );
        // A body we copied added the usage chunk, which the caller did not ask for.
        call = new Call(finisher, operation, config, captureContent, body?.stream === true, sendBody !== body);
        // The budget, if one is active, may refuse the call or lower its output cap before anything is sent.
        const admission = admitLlmCall(call.finisher, {
          body: sendBody,
          attributes,
          spanName,
          capField: operation.outputCapField,
        });
        if (admission !== undefined) {
          sendBody = admission.body;
          refusal = admission.refusal;
        }
      } catch {
        // Tracing failed to start: the call itself must go on untouched.
        return original.apply(this, args);
      }
      if (refusal !== undefined) return refusal;
      const sendArgs = sendBody === body ? args : [sendBody, ...args.slice(1)];
      let returned: unknown;
      try {
        returned = context.with(callContext, () => original.apply(this, sendArgs));
      } catch (error) {
        call.finisher.fail(error);
        throw error;
      }
      // Only a request we added stream_options to may be resent, without them (and with a budget's clamp kept).
      if (call.hideUsageChunk) {
        // The resend's body is built only if a server refuses the option (rare), not for every stream.
        call.observe(returned, (error) =>
          instrumentation.resendWithoutStreamOptions(error, baseURL, () => {
            const resendArgs = [withoutInjectedStreamOptions(sendBody, body), ...args.slice(1)];
            return context.with(callContext, () => original.apply(this, resendArgs));
          }),
        );
      } else {
        call.observe(returned);
      }
      return returned;
    };
    Object.defineProperty(traced, WRAPPED, { value: true });
    return traced;
  }

  /**
   * Some servers (older Azure deployments, OpenAI-compatible proxies) answer
   * the `stream_options` we added with a 400, where the caller's own request
   * would have worked. Resends that request once, untouched; when the resend
   * succeeds, the base URL is remembered and its streams are never sent the
   * option again (they then carry no usage: `agentburn.cost.reason =
   * usage_missing`). A 400 is not billed. Returns the resent request's
   * response promise, or undefined to let `error` through.
   */
  private resendWithoutStreamOptions(
    error: unknown,
    baseURL: string,
    resend: () => unknown,
  ): PromiseLike<unknown> | undefined {
    if (!rejectsStreamOptions(error)) return undefined;
    const responsePromise = (resend() as Payload)?.responsePromise;
    if (typeof responsePromise?.then !== 'function') return undefined;
    return (responsePromise as PromiseLike<unknown>).then((response) => {
      if (!this.streamOptionsRejected.has(baseURL)) {
        this.streamOptionsRejected.add(baseURL);
        this._diag.warn(
          `the server at ${baseURL} rejects stream_options.include_usage: streams to it are sent without it ` +
            'and report no token usage (agentburn.cost.reason = usage_missing)',
        );
      }
      return response;
    });
  }
}

/** A 400 that names the option we inject (`stream_options`, `include_usage`). */
function rejectsStreamOptions(error: unknown): boolean {
  const e = error as { status?: unknown; message?: unknown } | undefined;
  return e?.status === 400 && /stream_options|include_usage/i.test(String(e.message));
}

/** The request as sent, with the caller's own `stream_options` (or none) in place of ours: the caller's object when nothing else changed. */
function withoutInjectedStreamOptions(sent: Payload, callers: Payload): Payload {
  const { stream_options: _injected, ...rest } = sent as Record<string, unknown>;
  const restored = callers?.stream_options === undefined ? rest : { ...rest, stream_options: callers.stream_options };
  const keys = Object.keys(restored);
  const unchanged =
    keys.length === Object.keys(callers ?? {}).length &&
    keys.every((key) => (restored as Record<string, unknown>)[key] === (callers as Record<string, unknown>)[key]);
  return unchanged ? callers : (restored as Payload);
}

/** The client's base URL, the key under which a server's refusal of `stream_options` is remembered. */
function baseUrlOf(resource: Resource | undefined): string {
  const url = (resource?._client as { baseURL?: unknown } | undefined)?.baseURL;
  return typeof url === 'string' ? url : '';
}

function isOurs(fn: unknown): boolean {
  return typeof fn === 'function' && (fn as Payload)[WRAPPED] === true;
}

/**
 * The resource prototypes to wrap, reached from the module's exported
 * `OpenAI` class (`OpenAI.Chat.Completions`, `OpenAI.Responses`,
 * `OpenAI.Embeddings`), which every major since 4.0 exposes; internal file
 * paths moved between majors, these statics did not. Also accepts the class
 * itself or a client instance.
 */
function patchTargets(target: unknown): PatchTarget[] {
  const found: PatchTarget[] = [];
  const add = (prototype: unknown, operation: Operation) => {
    if (
      prototype &&
      typeof (prototype as Payload).create === 'function' &&
      !found.some((t) => t.prototype === prototype)
    ) {
      found.push({ prototype: prototype as PatchTarget['prototype'], operation });
    }
  };
  if (!target || (typeof target !== 'object' && typeof target !== 'function')) return found;
  const t = target as Payload;
  const client = t.chat?.completions ? t : undefined;
  if (client) {
    add(Object.getPrototypeOf(client.chat.completions), chatCompletions);
    add(client.responses && Object.getPrototypeOf(client.responses), responses);
    add(client.embeddings && Object.getPrototypeOf(client.embeddings), embeddings);
    return found;
  }
  for (const OpenAI of [t.OpenAI, t.default?.OpenAI, t.default, t]) {
    if (typeof OpenAI !== 'function') continue;
    add(OpenAI.Chat?.Completions?.prototype, chatCompletions);
    add(OpenAI.Responses?.prototype, responses);
    add(OpenAI.Embeddings?.prototype, embeddings);
  }
  return found;
}
