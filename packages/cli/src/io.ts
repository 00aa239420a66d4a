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
