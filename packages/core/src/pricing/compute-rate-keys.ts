import type { ComputeRates } from '../types';

/** Rate keys a `computeRates` entry may carry. */
export const COMPUTE_RATE_KEYS = [
  'perVcpuSecond',
  'perGibSecond',
  'perDiskGibSecond',
  'perCreation',
  'perActiveCpuSecond',
] as const satisfies ReadonlyArray<keyof ComputeRates>;
