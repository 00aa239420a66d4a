import { format } from 'node:util';
import { type DiagLogger, DiagLogLevel, diag } from '@opentelemetry/api';

/** `OTEL_LOG_LEVEL` values, as the OpenTelemetry SDKs read them. */
const LEVELS: Readonly<Record<string, DiagLogLevel>> = {
  NONE: DiagLogLevel.NONE,
  ERROR: DiagLogLevel.ERROR,
  WARN: DiagLogLevel.WARN,
  INFO: DiagLogLevel.INFO,
  DEBUG: DiagLogLevel.DEBUG,
  VERBOSE: DiagLogLevel.VERBOSE,
  ALL: DiagLogLevel.ALL,
};

type Severity = Exclude<keyof DiagLogger, never>;
const SEVERITY_LEVEL: Record<Severity, DiagLogLevel> = {
  error: DiagLogLevel.ERROR,
  warn: DiagLogLevel.WARN,
  info: DiagLogLevel.INFO,
  debug: DiagLogLevel.DEBUG,
  verbose: DiagLogLevel.VERBOSE,
};

/** Written by agentburn: `agentburn: ...`, `@agentburn/core: ...`, or an instrumentation's component logger. */
function isOurs(args: unknown[]): boolean {
  const first = args[0];
  return typeof first === 'string' && (first.startsWith('agentburn') || first.startsWith('@agentburn/'));
}

/**
 * The generic "loaded before" warning of InstrumentationBase: agentburn says
 * the same once per package, with the fix (see preloaded.ts).
 */
const REPLACED = / has been loaded before @agentburn\//;

export interface DiagOutput {
  /** Where a line goes; defaults to stderr. */
  write?: (line: string) => void;
}

/**
 * Routes the OpenTelemetry diag API to stderr. `OTEL_LOG_LEVEL` unset: our
 * own warnings and errors only (a lost span or configuration must be heard),
 * none of the SDK's chatter. Set: every message at that level or above, ours
 * and the SDK's.
 */
export function installDiagLogger({ write = (line) => process.stderr.write(`${line}\n`) }: DiagOutput = {}): void {
  const raw = process.env.OTEL_LOG_LEVEL?.trim();
  const configured = raw ? LEVELS[raw.toUpperCase()] : undefined;
  const threshold = configured ?? DiagLogLevel.WARN;
  const onlyOurs = configured === undefined;

  const line =
    (severity: Severity) =>
    (...args: unknown[]): void => {
      if (SEVERITY_LEVEL[severity] > threshold) return;
      const ours = isOurs(args);
      if ((onlyOurs && !ours) || (typeof args[0] === 'string' && REPLACED.test(args[0]))) return;
      try {
        write(ours ? format(...args) : `opentelemetry ${severity}: ${format(...args)}`);
      } catch {
        // stderr closed: nothing left to tell.
      }
    };
  const logger: DiagLogger = {
    error: line('error'),
    warn: line('warn'),
    info: line('info'),
    debug: line('debug'),
    verbose: line('verbose'),
  };
  // The level filter is ours (it depends on who wrote the message), so the API passes everything through.
  diag.setLogger(logger, { logLevel: DiagLogLevel.ALL, suppressOverrideMessage: true });
  if (raw && configured === undefined) {
    diag.warn(`agentburn: OTEL_LOG_LEVEL "${raw}" is not one of ${Object.keys(LEVELS).join(', ')}; using the default`);
  }
}
