import { ProxyTracerProvider, trace } from '@opentelemetry/api';
import type { NativeTracingMode } from './types';

/** The SDK client fields involved: `_tracer` is set at construction when the SDK's own tracing is on. */
interface SdkClient {
  _tracer?: unknown;
  openTelemetry?: { tracerProvider?: unknown };
}

// The API's no-op provider, what the global proxy delegates to until a provider is registered.
const NOOP_TRACER_PROVIDER = new ProxyTracerProvider().getDelegate();

/**
 * Whether the SDK traces this call itself. Recent SDK versions start an
 * `anthropic.messages.create` span per call unless the client was built with
 * `openTelemetry: false` (or `ANTHROPIC_OPEN_TELEMETRY=false` was set then);
 * `client._tracer` is the switch they all read. A stream helper
 * (`messages.stream()`) starts that span itself and passes it down as
 * `options.__span`.
 *
 * Its spans go nowhere when neither the client nor the global API has a
 * tracer provider; then ours are emitted, so a call is never left untraced.
 *
 * In `disable` mode the client's tracer is dropped first, which turns the
 * SDK's spans off for every later call of that client, as `openTelemetry:
 * false` would.
 */
export function sdkTracesCall(client: unknown, options: unknown, mode: NativeTracingMode): boolean {
  if (typeof options === 'object' && options !== null && (options as { __span?: unknown }).__span) return true;
  if (mode === 'disable') disableSdkTracing(client);
  if (typeof client !== 'object' || client === null) return false;
  const sdkClient = client as SdkClient;
  if (sdkClient._tracer == null) return false;
  return sdkClient.openTelemetry?.tracerProvider != null || globalTracerProviderRegistered();
}

function globalTracerProviderRegistered(): boolean {
  const provider = trace.getTracerProvider();
  return !(provider instanceof ProxyTracerProvider && provider.getDelegate() === NOOP_TRACER_PROVIDER);
}

export function disableSdkTracing(client: unknown): void {
  if (typeof client !== 'object' || client === null) return;
  const sdkClient = client as SdkClient;
  if (sdkClient._tracer == null) return;
  try {
    sdkClient._tracer = undefined;
  } catch {
    // a frozen client keeps its tracing; ours then defers to it
  }
}
