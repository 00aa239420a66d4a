import { CostSpanProcessor, ENV_BUDGET_USD, ENV_SUMMARY, setTraceBudget } from '@agentburn/core';
import { diag, metrics } from '@opentelemetry/api';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { type Instrumentation, registerInstrumentations } from '@opentelemetry/instrumentation';
import {
  defaultResource,
  detectResources,
  envDetector,
  hostDetector,
  type Resource,
  resourceFromAttributes,
} from '@opentelemetry/resources';
import {
  ConsoleMetricExporter,
  MeterProvider,
  type MetricReader,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import {
  BatchSpanProcessor,
  ConsoleSpanExporter,
  NodeTracerProvider,
  SimpleSpanProcessor,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import {
  budgetUsdFromEnv,
  intFromEnv,
  type SummaryMode,
  selectedExporters,
  summaryModeFromEnv,
  warnOnUnsupportedProtocol,
} from './env';
import { installExitHooks } from './exit';
import { defaultInstrumentations } from './instrumentations';
import { CostSummaryProcessor } from './summary';

export type CostProcessorOptions = NonNullable<ConstructorParameters<typeof CostSpanProcessor>[0]>;

export interface RegisterOptions {
  /** `service.name`; `OTEL_SERVICE_NAME` and `OTEL_RESOURCE_ATTRIBUTES` still apply when omitted. */
  serviceName?: string;
  /** Replaces the default list (our instrumentations for every installed SDK). */
  instrumentations?: Instrumentation[];
  /** Passed to the CostSpanProcessor (price overrides, compute rates, ...). */
  costProcessor?: CostProcessorOptions;
  /**
   * The per-trace cost line on stderr. `auto` (default): only when no trace
   * exporter is configured. Env: `AGENTBURN_SUMMARY`.
   */
  summary?: SummaryMode;
  /** Exported through a BatchSpanProcessor, after the CostSpanProcessor; replaces the env-selected exporters. */
  traceExporter?: SpanExporter;
  /** Extra processors, run after the CostSpanProcessor (so they see `cost_usd`). */
  spanProcessors?: SpanProcessor[];
  /** Replaces the env-selected metric readers. */
  metricReaders?: MetricReader[];
  /** Upper bound on the flush at exit or on a signal. Default 5000 ms. */
  shutdownTimeoutMillis?: number;
  /** Flush on `beforeExit`, SIGTERM and SIGINT. Default true. */
  handleExit?: boolean;
  /**
   * A budget in USD for every local root trace (one task) not already inside
   * `withBudget`: a call that would cross it is refused before it is sent.
   * Env: `AGENTBURN_BUDGET_USD`.
   */
  budgetUsd?: number;
}

export interface AgentburnHandle {
  readonly tracerProvider: NodeTracerProvider;
  /** Present when a metric reader is configured. */
  readonly meterProvider: MeterProvider | undefined;
  forceFlush(): Promise<void>;
  /** Ends open sandbox intervals, flushes and stops export. Idempotent. */
  shutdown(): Promise<void>;
}

/** One SDK per process: both the ESM and the CJS build of this package look here. */
const ACTIVE = Symbol.for('agentburn.node.handle');
type Holder = { [ACTIVE]?: AgentburnHandle };

/**
 * Starts tracing and cost accounting for the process: our instrumentations,
 * the CostSpanProcessor ahead of every exporter, OTLP/HTTP export configured
 * by the standard OTEL_* variables, and the terminal cost summary when no
 * exporter is configured.
 */
export function register(options: RegisterOptions = {}): AgentburnHandle {
  const holder = globalThis as Holder;
  const active = holder[ACTIVE];
  if (active) {
    diag.warn('agentburn: register() was already called in this process; returning the running SDK');
    return active;
  }

  const resource = buildResource(options.serviceName);

  const readers = options.metricReaders ?? metricReadersFromEnv();
  const meterProvider = readers.length > 0 ? new MeterProvider({ resource, readers }) : undefined;

  // Built before anything global is touched: a bad price file throws here.
  let costProcessor: CostSpanProcessor;
  try {
    costProcessor = new CostSpanProcessor({ meterProvider, ...options.costProcessor });
  } catch (err) {
    void meterProvider?.shutdown();
    throw err;
  }
  if (meterProvider) metrics.setGlobalMeterProvider(meterProvider);

  const exporters = options.traceExporter ? [options.traceExporter] : traceExportersFromEnv();
  const exporting: SpanProcessor[] = [
    ...exporters.map((e) =>
      e instanceof ConsoleSpanExporter ? new SimpleSpanProcessor(e) : new BatchSpanProcessor(e),
    ),
    ...(options.spanProcessors ?? []),
  ];
  const summaryMode = options.summary ?? summaryModeFromEnv(ENV_SUMMARY) ?? 'auto';
  // `auto`: the summary is the output when spans go nowhere else (console output is for debugging, not a destination).
  const exportsElsewhere = options.spanProcessors?.length || exporters.some((e) => !(e instanceof ConsoleSpanExporter));
  if (summaryMode === 'always' || (summaryMode === 'auto' && !exportsElsewhere)) {
    exporting.push(new CostSummaryProcessor());
  }

  // The CostSpanProcessor goes first: it writes cost_usd in onEnding, which
  // runs before any processor's onEnd, and its shutdown() ends the open
  // sandbox intervals while the exporters behind it are still running.
  const tracerProvider = new NodeTracerProvider({ resource, spanProcessors: [costProcessor, ...exporting] });
  tracerProvider.register();

  const budgetUsd = options.budgetUsd ?? budgetUsdFromEnv(ENV_BUDGET_USD);
  if (budgetUsd !== undefined) setTraceBudget({ limitUsd: budgetUsd });

  const instrumentations = options.instrumentations ?? defaultInstrumentations();
  const unregister = registerInstrumentations({ instrumentations, tracerProvider, meterProvider });

  let shutdownPromise: Promise<void> | undefined;
  const handle: AgentburnHandle = {
    tracerProvider,
    meterProvider,
    async forceFlush() {
      await Promise.all([tracerProvider.forceFlush(), meterProvider?.forceFlush()]);
    },
    shutdown() {
      shutdownPromise ??= (async () => {
        exitHooks?.remove();
        unregister();
        if (budgetUsd !== undefined) setTraceBudget(undefined);
        // Traces first: ending open sandbox intervals counts their cost metrics, which the meter shutdown then exports.
        await tracerProvider.shutdown();
        await meterProvider?.shutdown();
        if (holder[ACTIVE] === handle) delete holder[ACTIVE];
      })();
      return shutdownPromise;
    },
  };
  const exitHooks =
    options.handleExit === false
      ? undefined
      : installExitHooks(
          () => handle.shutdown(),
          () => handle.forceFlush(),
          options.shutdownTimeoutMillis ?? 5000,
        );
  holder[ACTIVE] = handle;
  return handle;
}

function buildResource(serviceName: string | undefined): Resource {
  // defaultResource() carries the SDK identity; env last, so OTEL_SERVICE_NAME / OTEL_RESOURCE_ATTRIBUTES win over detected values.
  // No processDetector: process.command_args may carry secrets.
  let resource = defaultResource().merge(detectResources({ detectors: [hostDetector, envDetector] }));
  if (serviceName) resource = resource.merge(resourceFromAttributes({ [ATTR_SERVICE_NAME]: serviceName }));
  return resource;
}

function traceExportersFromEnv(): SpanExporter[] {
  const names = selectedExporters('TRACES');
  if (names.includes('otlp')) warnOnUnsupportedProtocol('TRACES');
  return names.map((name) => (name === 'otlp' ? new OTLPTraceExporter() : new ConsoleSpanExporter()));
}

/**
 * Metrics leave with the OTLP exporter's temporality, cumulative unless
 * OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE says otherwise:
 * cumulative survives a lost export and is what Prometheus stores.
 */
function metricReadersFromEnv(): MetricReader[] {
  const names = selectedExporters('METRICS');
  if (names.includes('otlp')) warnOnUnsupportedProtocol('METRICS');
  const exportIntervalMillis = intFromEnv('OTEL_METRIC_EXPORT_INTERVAL', 60_000);
  const exportTimeoutMillis = Math.min(intFromEnv('OTEL_METRIC_EXPORT_TIMEOUT', 30_000), exportIntervalMillis);
  return names.map(
    (name) =>
      new PeriodicExportingMetricReader({
        exporter: name === 'otlp' ? new OTLPMetricExporter() : new ConsoleMetricExporter(),
        exportIntervalMillis,
        exportTimeoutMillis,
      }),
  );
}
