import { ProxyTracerProvider, trace } from '@opentelemetry/api';

/**
 * The SDK's own OpenTelemetry tracing (recent versions): each client reads
 * `openTelemetry` / `ANTHROPIC_OPEN_TELEMETRY` once, at construction, and keeps
 * the resulting tracer as `client._tracer` (undefined when off). Every call
 * decides from that field, synchronously, whether to start its
 * `anthropic.messages.create` span; a stream helper (`messages.stream()`)
 * starts the span itself and hands it to `create()` as `options.__span`.
 */
interface SdkClient {
  _tracer?: unknown;
  openTelemetry?: { tracerProvider?: unknown };
}

// The API's no-op provider, what the global proxy delegates to until a provider is registered.
const NOOP_TRACER_PROVIDER = new ProxyTracerProvider().getDelegate();

/** A span the SDK already started for this call (stream helpers do), which nothing can undo. */
export function sdkSpanGiven(options: unknown): boolean {
  return typeof options === 'object' && options !== null && Boolean((options as { __span?: unknown }).__span);
}

/**
 * Whether the SDK will trace this call itself, to somewhere: with no tracer
 * provider on the client or registered globally, its spans go nowhere, and
 * ours are emitted so the call is not left untraced.
 */
export function sdkTracesCall(client: unknown, options: unknown): boolean {
  if (sdkSpanGiven(options)) return true;
  if (typeof client !== 'object' || client === null) return false;
  const sdkClient = client as SdkClient;
  if (sdkClient._tracer == null) return false;
  return sdkClient.openTelemetry?.tracerProvider != null || globalTracerProviderRegistered();
}

/**
 * Runs `fn` (a synchronous SDK method call) with the client's own tracing off:
 * the SDK decides synchronously, so only this call is affected; the client's
 * other calls keep their spans.
 */
export function withoutSdkTracing<T>(client: unknown, fn: () => T): T {
  const sdkClient = client as SdkClient | undefined;
  const tracer = sdkClient?._tracer;
  if (tracer == null) return fn();
  try {
    sdkClient!._tracer = undefined;
  } catch {
    return fn(); // a frozen client keeps its tracing
  }
  try {
    return fn();
  } finally {
    sdkClient!._tracer = tracer;
  }
}

function globalTracerProviderRegistered(): boolean {
  const provider = trace.getTracerProvider();
  return !(provider instanceof ProxyTracerProvider && provider.getDelegate() === NOOP_TRACER_PROVIDER);
}
