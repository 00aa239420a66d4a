import { diag } from '@opentelemetry/api';
import type { BatchSettings } from './export-loss';

/**
 * The standard OTEL_* variables that decide where telemetry goes. The OTLP
 * exporters read endpoint, headers, timeout and compression themselves; this
 * file only decides which exporters exist at all.
 */

export type ExporterName = 'otlp' | 'console';

function env(name: string): string | undefined {
  const value = process.env[name]?.trim();
  return value === '' ? undefined : value;
}

/** True when an OTLP endpoint for the signal (or for all signals) is configured. */
export function otlpEndpointConfigured(signal: 'TRACES' | 'METRICS'): boolean {
  return env('OTEL_EXPORTER_OTLP_ENDPOINT') !== undefined || env(`OTEL_EXPORTER_OTLP_${signal}_ENDPOINT`) !== undefined;
}

/**
 * Exporters for a signal from `OTEL_TRACES_EXPORTER` / `OTEL_METRICS_EXPORTER`
 * (comma separated: `otlp`, `console`, `none`). Unset means `otlp` when an
 * endpoint is configured and nothing otherwise: without a collector to send
 * to, the terminal summary is the output, and no exporter retries a
 * connection to a localhost port nobody listens on.
 */
export function selectedExporters(signal: 'TRACES' | 'METRICS'): ExporterName[] {
  const raw = env(`OTEL_${signal}_EXPORTER`);
  if (raw === undefined) return otlpEndpointConfigured(signal) ? ['otlp'] : [];
  const names = new Set<ExporterName>();
  for (const name of raw.split(',').map((s) => s.trim().toLowerCase())) {
    if (name === 'none') return [];
    if (name === 'otlp' || name === 'console') names.add(name);
    else if (name !== '') {
      diag.warn(`agentburn: OTEL_${signal}_EXPORTER value "${name}" is not supported (otlp, console, none); ignored`);
    }
  }
  return [...names];
}

export type OtlpProtocol = 'http/protobuf' | 'http/json' | 'grpc';
const PROTOCOLS: readonly OtlpProtocol[] = ['http/protobuf', 'http/json', 'grpc'];

/** `OTEL_EXPORTER_OTLP_{signal}_PROTOCOL`, then `OTEL_EXPORTER_OTLP_PROTOCOL`; `http/protobuf` (the OTel default) when unset or unknown. */
export function otlpProtocol(signal: 'TRACES' | 'METRICS'): OtlpProtocol {
  const name =
    env(`OTEL_EXPORTER_OTLP_${signal}_PROTOCOL`) !== undefined
      ? `OTEL_EXPORTER_OTLP_${signal}_PROTOCOL`
      : 'OTEL_EXPORTER_OTLP_PROTOCOL';
  const raw = env(name);
  if (raw === undefined) return 'http/protobuf';
  const protocol = PROTOCOLS.find((p) => p === raw.toLowerCase());
  if (protocol) return protocol;
  diag.warn(`agentburn: ${name} value "${raw}" is not one of ${PROTOCOLS.join(', ')}; using http/protobuf`);
  return 'http/protobuf';
}

/** Where the OTLP exporter of a signal sends, as the exporters work it out (for messages only). */
export function otlpEndpoint(signal: 'TRACES' | 'METRICS', protocol: OtlpProtocol): string {
  const own = env(`OTEL_EXPORTER_OTLP_${signal}_ENDPOINT`);
  if (own !== undefined) return own;
  const base = env('OTEL_EXPORTER_OTLP_ENDPOINT');
  if (protocol === 'grpc') return base ?? 'http://localhost:4317';
  const path = `v1/${signal.toLowerCase()}`;
  return base === undefined ? `http://localhost:4318/${path}` : `${base.replace(/\/+$/, '')}/${path}`;
}

/** A positive integer from the environment, or the fallback; a value that is not one is said once. */
export function intFromEnv(name: string, fallback: number): number {
  const raw = env(name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (Number.isSafeInteger(value) && value > 0) return value;
  diag.warn(`agentburn: ${name} must be a positive integer; got "${raw}", using ${fallback}`);
  return fallback;
}

/**
 * Batch span processor settings from `OTEL_BSP_*`. The defaults are sized for
 * agent workloads, which end spans in bursts (a fan-out of tool calls, a
 * loop over files): a queue 8 times the SDK's, in batches of 1024 (an OTLP
 * request of about 1 MB).
 */
export function batchSettingsFromEnv(): BatchSettings {
  const maxQueueSize = intFromEnv('OTEL_BSP_MAX_QUEUE_SIZE', 16_384);
  const batch = intFromEnv('OTEL_BSP_MAX_EXPORT_BATCH_SIZE', Math.min(1024, maxQueueSize));
  if (batch > maxQueueSize) {
    diag.warn(
      `agentburn: OTEL_BSP_MAX_EXPORT_BATCH_SIZE (${batch}) exceeds OTEL_BSP_MAX_QUEUE_SIZE (${maxQueueSize}); using ${maxQueueSize}`,
    );
  }
  return {
    maxQueueSize,
    maxExportBatchSize: Math.min(batch, maxQueueSize),
    scheduledDelayMillis: intFromEnv('OTEL_BSP_SCHEDULE_DELAY', 5000),
    exportTimeoutMillis: intFromEnv('OTEL_BSP_EXPORT_TIMEOUT', 30_000),
  };
}

export type SummaryMode = 'auto' | 'always' | 'never';

export function summaryModeFromEnv(name: string): SummaryMode | undefined {
  const raw = env(name)?.toLowerCase();
  if (raw === 'auto' || raw === 'always' || raw === 'never') return raw;
  if (raw !== undefined) diag.warn(`agentburn: ${name} must be auto, always or never; got "${raw}", using auto`);
  return undefined;
}

/** A budget in USD (a finite number >= 0) from the environment; anything else is said once and ignored. */
export function budgetUsdFromEnv(name: string): number | undefined {
  const raw = env(name);
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (Number.isFinite(value) && value >= 0) return value;
  diag.warn(`agentburn: ${name} must be a number of USD >= 0; got "${raw}"; no budget is set`);
  return undefined;
}
