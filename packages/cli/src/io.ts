import type { Readable } from 'node:stream';

/** The process streams a command uses; injectable so commands run in-process in tests. */
export interface CliIo {
  stdin: Readable;
  stdout: { write(chunk: string): unknown };
  stderr: { isTTY?: boolean; write(chunk: string): unknown };
}

/** A usage error: printed with the command's help hint, exit code 1. */
export class UsageError extends Error {}

/** Exit codes: 0 ok, 1 usage or input error, 2 no price for the model. */
export const EXIT_OK = 0;
export const EXIT_ERROR = 1;
export const EXIT_UNPRICED = 2;

/** Parses a non-negative integer option (token counts, limits). */
export function parseCount(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value.trim())) throw new UsageError(`--${name} must be a non-negative integer, got '${value}'`);
  return Number(value);
}

/**
 * `--input -5` as `--input=-5`: parseArgs reads a value that starts with a
 * dash as a missing value, where a number was meant; joined, it reaches the
 * option's own check and its clear message.
 */
export function joinNegativeValues(args: readonly string[], options: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const next = args[i + 1];
    if (next !== undefined && /^-[\d.]/.test(next) && options.some((o) => arg === `--${o}`)) {
      out.push(`${arg}=${next}`);
      i++;
    } else out.push(arg);
  }
  return out;
}
