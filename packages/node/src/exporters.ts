import { createRequire } from 'node:module';
import { join } from 'node:path';
import { diag } from '@opentelemetry/api';
import { OTLPMetricExporter as JsonMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter as ProtobufMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { OTLPTraceExporter as JsonTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtobufTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import type { PushMetricExporter } from '@opentelemetry/sdk-metrics';
import type { SpanExporter } from '@opentelemetry/sdk-trace-node';
import type { OtlpProtocol } from './env';

/** The optional gRPC exporters: installed by the app when it wants gRPC, never bundled (they pull in @grpc/grpc-js). */
const GRPC_PACKAGES = {
  TRACES: '@opentelemetry/exporter-trace-otlp-grpc',
  METRICS: '@opentelemetry/exporter-metrics-otlp-grpc',
} as const;

/** The app's copy first (its node_modules), then ours. */
function loadOptional(name: string): Record<string, unknown> | undefined {
  for (const base of [join(process.cwd(), 'package.json'), process.argv[1], import.meta.url]) {
    if (!base) continue;
    try {
      return createRequire(base)(name) as Record<string, unknown>;
    } catch {
      // not installed where this base looks
    }
  }
  return undefined;
}

function grpcExporter<T>(signal: 'TRACES' | 'METRICS'): T | undefined {
  const name = GRPC_PACKAGES[signal];
  const exports = loadOptional(name);
  const Exporter = signal === 'TRACES' ? exports?.OTLPTraceExporter : exports?.OTLPMetricExporter;
  if (typeof Exporter === 'function') return new (Exporter as new () => T)();
  diag.warn(
    `agentburn: OTLP protocol "grpc" needs ${name}: \`npm install ${name}\`; ` +
      `${signal.toLowerCase()} are not exported until it is installed (or use http/protobuf on port 4318)`,
  );
  return undefined;
}

/** The OTLP span exporter for the protocol, or undefined when gRPC is asked for and not installed. */
export function otlpTraceExporter(protocol: OtlpProtocol): SpanExporter | undefined {
  if (protocol === 'grpc') return grpcExporter<SpanExporter>('TRACES');
  return protocol === 'http/json' ? new JsonTraceExporter() : new ProtobufTraceExporter();
}

/** The OTLP metric exporter for the protocol, or undefined when gRPC is asked for and not installed. */
export function otlpMetricExporter(protocol: OtlpProtocol): PushMetricExporter | undefined {
  if (protocol === 'grpc') return grpcExporter<PushMetricExporter>('METRICS');
  return protocol === 'http/json' ? new JsonMetricExporter() : new ProtobufMetricExporter();
}
