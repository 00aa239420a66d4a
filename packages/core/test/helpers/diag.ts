import { type DiagLogger, DiagLogLevel, diag } from '@opentelemetry/api';

/** What is said through the OTel diag logger, at warn and above, while `fn` runs. */
export function warningsOf(fn: () => void): string[] {
  const warnings: string[] = [];
  const collect = (...args: unknown[]) => warnings.push(args.join(' '));
  const logger: DiagLogger = { error: collect, warn: collect, info: () => {}, debug: () => {}, verbose: () => {} };
  diag.setLogger(logger, { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true });
  try {
    fn();
  } finally {
    diag.disable();
  }
  return warnings;
}
