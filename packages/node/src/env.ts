import { diag } from '@opentelemetry/api';

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
    else if (name !== '') diag.warn(`agentburn: OTEL_${signal}_EXPORTER value "${name}" is not supported; ignored`);
  }
  return [...names];
}

/** `OTEL_EXPORTER_OTLP_*_PROTOCOL`: only OTLP/HTTP is shipped; say so once instead of silently sending elsewhere. */
export function warnOnUnsupportedProtocol(signal: 'TRACES' | 'METRICS'): void {
  const protocol = env(`OTEL_EXPORTER_OTLP_${signal}_PROTOCOL`) ?? env('OTEL_EXPORTER_OTLP_PROTOCOL');
  if (protocol === 'grpc') {
    diag.warn(
      `agentburn: OTLP protocol "grpc" is not bundled; ${signal.toLowerCase()} are sent as OTLP/HTTP JSON ` +
        '(use the collector port 4318, or build your own SDK with a gRPC exporter and the CostSpanProcessor)',
    );
  }
}

/** A positive integer from the environment, or the fallback. */
export function intFromEnv(name: string, fallback: number): number {
  const raw = env(name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  return Number.isInteger(value) && value > 0 ? value : fallback;
}

export type SummaryMode = 'auto' | 'always' | 'never';

export function summaryModeFromEnv(name: string): SummaryMode | undefined {
  const raw = env(name)?.toLowerCase();
  if (raw === 'auto' || raw === 'always' || raw === 'never') return raw;
  if (raw !== undefined) diag.warn(`agentburn: ${name} must be auto, always or never; got "${raw}"`);
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
