import { createRequire } from 'node:module';
import {
  CostSpanProcessor,
  ENV_BUDGET_USD,
  ENV_SUMMARY,
  ENV_TRACES_FILE,
  openIntervalCount,
  readPricesFile,
  setTraceBudget,
} from '@agentburn/core';
import { diag, metrics } from '@opentelemetry/api';
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
  type PushMetricExporter,
} from '@opentelemetry/sdk-metrics';
import {
  ConsoleSpanExporter,
  NodeTracerProvider,
  SimpleSpanProcessor,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import { installDiagLogger } from './diag';
import {
  batchSettingsFromEnv,
  budgetUsdFromEnv,
  intFromEnv,
  otlpEndpoint,
  otlpProtocol,
  type SummaryMode,
  selectedExporters,
  summaryModeFromEnv,
  tracesFileFromEnv,
} from './env';
import { type ExitCause, installExitHooks } from './exit';
import { AccountedBatchSpanProcessor, plural, warnOnMetricExportFailure } from './export-loss';
import { otlpMetricExporter, otlpTraceExporter } from './exporters';
import { esmLoaderHookInstalled, installEsmLoaderHook } from './hook';
import { defaultInstrumentations } from './instrumentations';
import { SDK_PACKAGES, warnOnPreloadedSdks } from './preloaded';
import { CostSummaryProcessor } from './summary';
import { DEFAULT_TRACES_FILE, OTLPFileTraceExporter } from './traces-file';

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
  /** Exported through a batch processor (`OTEL_BSP_*`), after the CostSpanProcessor; replaces the env-selected exporters. */
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
  /** Absolute path of the local OTLP JSON-lines trace file, when one is written. */
  readonly tracesFile: string | undefined;
  forceFlush(): Promise<void>;
  /** Ends open sandbox intervals, flushes and stops export. Idempotent. */
  shutdown(): Promise<void>;
}

/** Set by the build (tsup.config.ts): true in the ES module build of this package, false in the CommonJS one. */
declare const __AGENTBURN_ESM__: boolean;
const LOADED_AS_ES_MODULE = typeof __AGENTBURN_ESM__ === 'boolean' && __AGENTBURN_ESM__;

/** One SDK per process: both the ESM and the CJS build of this package look here. */
const ACTIVE = Symbol.for('agentburn.node.handle');
type Holder = { [ACTIVE]?: AgentburnHandle };

/**
 * Starts tracing and cost accounting for the process: our instrumentations,
 * the CostSpanProcessor ahead of every exporter, OTLP export configured by
 * the standard OTEL_* variables, and the terminal cost summary when no
 * exporter is configured. Diagnostics go to stderr (`OTEL_LOG_LEVEL`).
 * Nothing from the environment makes it throw: a bad setting is said once
 * and the rest starts.
 */
export function register(options: RegisterOptions = {}): AgentburnHandle {
  return start(options, 'code');
}

/**
 * How the SDK was started: from code, or by the `--import` entry (loader
 * hook already in) or the `--require` entry (a CommonJS preload, where the
 * loader hook is not installed: see register-cjs.ts).
 */
export type StartedBy = 'code' | 'import-flag' | 'require-flag';

/** @internal register(), told who calls it. */
export function start(options: RegisterOptions, startedBy: StartedBy): AgentburnHandle {
  const holder = globalThis as Holder;
  const active = holder[ACTIVE];
  if (active) {
    diag.warn('agentburn: register() was already called in this process; returning the running SDK');
    return active;
  }
  installDiagLogger();

  // An ES module app that calls register() from code: its static imports ran
  // first (they cannot be patched any more), but an `await import()` after
  // this line can be, once the loader hook is in. CommonJS apps need none.
  // Only our ES module build installs it: from a `--require` preload (the CommonJS build) Node 20 would lose the app's uncaught-error output.
  const esmFromCode =
    startedBy === 'code' &&
    LOADED_AS_ES_MODULE &&
    createRequire(import.meta.url).main === undefined &&
    !esmLoaderHookInstalled();
  if (esmFromCode) installEsmLoaderHook(import.meta.url, SDK_PACKAGES);
  warnOnPreloadedSdks(esmFromCode);

  const resource = buildResource(options.serviceName);

  const readers = options.metricReaders ?? metricReadersFromEnv();
  const meterProvider = readers.length > 0 ? new MeterProvider({ resource, readers }) : undefined;
  if (meterProvider) metrics.setGlobalMeterProvider(meterProvider);
  const costProcessor = createCostProcessor(meterProvider, options.costProcessor);

  const exporters = options.traceExporter
    ? [{ exporter: options.traceExporter, destination: options.traceExporter.constructor.name }]
    : traceExportersFromEnv();
  const batch = batchSettingsFromEnv();
  const accounted = exporters
    .filter(({ exporter }) => !(exporter instanceof ConsoleSpanExporter))
    .map(({ exporter, destination }) => new AccountedBatchSpanProcessor(exporter, batch, destination));
  const exporting: SpanProcessor[] = [
    ...accounted,
    ...exporters
      .filter(({ exporter }) => exporter instanceof ConsoleSpanExporter)
      .map(({ exporter }) => new SimpleSpanProcessor(exporter)),
    ...(options.spanProcessors ?? []),
  ];
  const summaryMode = options.summary ?? summaryModeFromEnv(ENV_SUMMARY) ?? 'auto';
  // `auto`: the summary is the output when spans go nowhere else (console output is for debugging, not a destination).
  const exportsElsewhere = options.spanProcessors?.length || accounted.length > 0;
  if (summaryMode === 'always' || (summaryMode === 'auto' && !exportsElsewhere)) {
    exporting.push(new CostSummaryProcessor());
  }
  // The local file is for runs with no backend: extra span processors do not count as one.
  const tracesFilePath = tracesFileFromEnv(ENV_TRACES_FILE, accounted.length > 0, DEFAULT_TRACES_FILE);
  const tracesFile = tracesFilePath ? new OTLPFileTraceExporter({ path: tracesFilePath, announce: true }) : undefined;
  if (tracesFile) {
    const fileProcessor = new AccountedBatchSpanProcessor(tracesFile, batch, tracesFile.path);
    exporting.push(fileProcessor);
    accounted.push(fileProcessor);
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
  let shutdownDone = false;
  const shutdownTimeoutMillis = options.shutdownTimeoutMillis ?? 5000;
  const reportLoss = (cause: ExitCause) => {
    if (shutdownDone) return;
    const line = lossAtExit(cause, accounted, shutdownTimeoutMillis);
    if (line) diag.warn(line);
  };
  const handle: AgentburnHandle = {
    tracerProvider,
    meterProvider,
    tracesFile: tracesFile?.path,
    async forceFlush() {
      await Promise.all([tracerProvider.forceFlush(), meterProvider?.forceFlush()]);
    },
    shutdown() {
      shutdownPromise ??= (async () => {
        exitHooks?.remove();
        unregister();
        if (budgetUsd !== undefined) setTraceBudget(undefined);
        // Traces first: ending open sandbox intervals counts their cost metrics, which the meter shutdown then exports.
        try {
          await tracerProvider.shutdown();
          // A failed metric export was said by its exporter's wrapper; it is not the caller's error.
          await meterProvider?.shutdown().catch(() => {});
        } finally {
          shutdownDone = true;
        }
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
          shutdownTimeoutMillis,
          reportLoss,
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

/**
 * The CostSpanProcessor. A bad price file only warns (core keeps its good
 * entries); malformed `overrides` from code are a programming error, said
 * once, and pricing goes on from the catalogue rather than stopping the app.
 */
function createCostProcessor(
  meterProvider: MeterProvider | undefined,
  options: CostProcessorOptions | undefined,
): CostSpanProcessor {
  // Read once: a retry below must not read the file, nor say its problems, again.
  const pricesFile = readPricesFile(options?.pricesFile);
  try {
    return new CostSpanProcessor({ meterProvider, ...options, pricesFile });
  } catch (err) {
    diag.warn(
      `agentburn: costProcessor options rejected: ${err instanceof Error ? err.message : String(err)}; the overrides option is ignored`,
    );
  }
  try {
    return new CostSpanProcessor({ meterProvider, ...options, pricesFile, overrides: undefined });
  } catch {
    return new CostSpanProcessor({ meterProvider, pricesFile });
  }
}

interface NamedSpanExporter {
  exporter: SpanExporter;
  /** For messages: the endpoint, or the exporter's name. */
  destination: string;
}

function traceExportersFromEnv(): NamedSpanExporter[] {
  return selectedExporters('TRACES').flatMap((name): NamedSpanExporter[] => {
    if (name === 'console') return [{ exporter: new ConsoleSpanExporter(), destination: 'console' }];
    const protocol = otlpProtocol('TRACES');
    const exporter = otlpTraceExporter(protocol);
    return exporter ? [{ exporter, destination: otlpEndpoint('TRACES', protocol) }] : [];
  });
}

/** What the exit lost and how to avoid it, or undefined when nothing was. */
function lossAtExit(cause: ExitCause, accounted: AccountedBatchSpanProcessor[], timeoutMillis: number) {
  const lost = [...accounted.flatMap((p) => p.lossLine() ?? []), ...stillOpen()];
  if (lost.length === 0) return undefined;
  const what = lost.join('; ');
  switch (cause) {
    case 'flush-timeout':
      return `agentburn: telemetry flush did not finish within ${timeoutMillis} ms: ${what}`;
    case 'uncaught-error':
      return `agentburn: the process crashed before telemetry was flushed: ${what}`;
    case 'process-exit':
      return (
        `agentburn: process.exit() ended the process before telemetry was flushed: ${what}. ` +
        'Set process.exitCode and let the process end by itself, or `await telemetry.shutdown()` ' +
        '(telemetry = the handle register() returns) before calling process.exit()'
      );
  }
}

/**
 * What has not ended, so is not recorded: running sandbox intervals, and
 * the operations in flight, named apart (they are not intervals).
 */
function stillOpen(): string[] {
  const lines: string[] = [];
  const its = (n: number) => (n === 1 ? 'its' : 'their');
  const intervals = openIntervalCount('sandbox-interval');
  if (intervals > 0) {
    lines.push(
      `${plural(intervals, 'sandbox interval')} still running (not ended, so ${its(intervals)} compute cost is not recorded)`,
    );
  }
  const calls = openIntervalCount('sandbox-call');
  if (calls > 0) {
    lines.push(
      `${plural(calls, 'sandbox call')} still in flight (${its(calls)} span not ended, and a sandbox ${calls === 1 ? 'it starts' : 'they start'} is not recorded)`,
    );
  }
  const streams = openIntervalCount('llm-stream');
  if (streams > 0) {
    lines.push(
      `${plural(streams, 'LLM stream')} still being read (${its(streams)} span not ended, so ${its(streams)} cost is not recorded)`,
    );
  }
  return lines;
}

/**
 * Metrics leave with the OTLP exporter's temporality, cumulative unless
 * OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE says otherwise:
 * cumulative survives a lost export and is what Prometheus stores.
 */
function metricReadersFromEnv(): MetricReader[] {
  const names = selectedExporters('METRICS');
  const exportIntervalMillis = intFromEnv('OTEL_METRIC_EXPORT_INTERVAL', 60_000);
  const exportTimeoutMillis = Math.min(intFromEnv('OTEL_METRIC_EXPORT_TIMEOUT', 30_000), exportIntervalMillis);
  return names.flatMap((name) => {
    let exporter: PushMetricExporter | undefined = new ConsoleMetricExporter();
    if (name === 'otlp') {
      const protocol = otlpProtocol('METRICS');
      const otlp = otlpMetricExporter(protocol);
      exporter = otlp && warnOnMetricExportFailure(otlp, otlpEndpoint('METRICS', protocol));
    }
    return exporter ? [new PeriodicExportingMetricReader({ exporter, exportIntervalMillis, exportTimeoutMillis })] : [];
  });
}
