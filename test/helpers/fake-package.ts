/**
 * Unknown SDK versions: a fake package in its own `node_modules`, and the
 * `diag` messages an instrumentation writes when it declines one.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { type DiagLogger, DiagLogLevel, diag } from '@opentelemetry/api';

/**
 * Writes `<dir>/node_modules/<name>` at `version` with `source` as its
 * `index.js`, then requires it from `dir`, so the require hook sees it.
 */
// biome-ignore lint/suspicious/noExplicitAny: the fake's exports are whatever its source defines
export function requireFakePackage(dir: string, name: string, version: string, source: string): any {
  const pkg = join(dir, 'node_modules', ...name.split('/'));
  mkdirSync(pkg, { recursive: true });
  writeFileSync(join(pkg, 'package.json'), JSON.stringify({ name, version, main: 'index.js' }));
  writeFileSync(join(pkg, 'index.js'), source);
  return createRequire(join(dir, 'app.js'))(name);
}

/** Installs a global `diag` logger that keeps every message of level info and above, to count decline messages. */
export function recordDiagMessages(): string[] {
  const messages: string[] = [];
  const record = (...args: unknown[]) => messages.push(args.map(String).join(' '));
  const logger: DiagLogger = { error: record, warn: record, info: record, debug: () => {}, verbose: () => {} };
  diag.setLogger(logger, DiagLogLevel.INFO);
  return messages;
}
