import type { Attributes } from '@opentelemetry/api';
import {
  ATTR_COMPUTE_ACTIVE_CPU_SECONDS,
  ATTR_COMPUTE_BILLED_SECONDS,
  ATTR_COMPUTE_CREATIONS,
  ATTR_COMPUTE_DISK_GIB,
  ATTR_COMPUTE_MEMORY_MIB,
  ATTR_COMPUTE_PROVIDER,
  ATTR_COMPUTE_VCPU,
  ATTR_COST_ESTIMATED,
  ATTR_E2B_SANDBOX_BILLED_SECONDS,
  ATTR_E2B_SANDBOX_CPU_COUNT,
  ATTR_E2B_SANDBOX_MEMORY_MIB,
  ATTR_E2B_TEMPLATE_ID,
  COMPUTE_PROVIDER_DAYTONA,
  COMPUTE_PROVIDER_VERCEL,
  COST_REASON_MODEL_UNKNOWN,
  COST_REASON_USAGE_MISSING,
  COST_STATUS_PRICED,
  COST_STATUS_UNPRICED,
  PRICING_SOURCE_RATES,
  SPAN_E2B_SANDBOX,
} from '../semconv';
import type { ComputeInterval, ComputeRates, PriceResult } from '../types';
import { readCount, readString } from '../usage/read';
import { COMPUTE_RATE_KEYS } from './compute-rate-keys';
import { type PricesFile, readPricesFile } from './overrides';

/** E2B's published per-second rates (USD). */
export const E2B_DEFAULT_RATES: ComputeRates = Object.freeze({ perVcpuSecond: 0.000014, perGibSecond: 0.0000045 });

/**
 * Daytona's published rates, per second of running life (daytona.io/pricing,
 * read 2026-12-03): $0.0504 per vCPU-hour, $0.0162 per GiB-hour of memory,
 * $0.000108 per GiB-hour of disk. Daytona lists the per-second figures
 * rounded (0.000014, 0.0000045, 0.00000003); we keep the hourly prices / 3600
 * so an hour prices at the hourly list price. The first 5 GiB of disk are
 * free per organization, not per sandbox, so every sandbox's disk is priced.
 */
export const DAYTONA_DEFAULT_RATES: ComputeRates = Object.freeze({
  perVcpuSecond: 0.0504 / 3600,
  perGibSecond: 0.0162 / 3600,
  perDiskGibSecond: 0.000108 / 3600,
});

/**
 * Vercel Sandbox's published Pro/Enterprise rates (vercel.com/docs/vercel-sandbox/pricing,
 * read 2026-12-03): active CPU $0.128 per hour, provisioned memory per
 * GB-hour, $0.60 per million creations. The memory price differs between
 * revisions of that page: $0.0106/GB-hour (revision of 2025-07-04) and
 * $0.0212/GB-hour (revision of 2025-11-26). We take the later one, the
 * price in force. Vercel sizes memory at 2048 MB per vCPU and calls that
 * 2 GB: a GB here is 1024 MiB. Data transfer ($0.15/GB) and snapshot
 * storage are not observable per sandbox and are left out.
 */
export const VERCEL_DEFAULT_RATES: ComputeRates = Object.freeze({
  perVcpuSecond: 0.128 / 3600,
  perGibSecond: 0.0212 / 3600,
  perActiveCpuSecond: 0.128 / 3600,
  perCreation: 0.6 / 1_000_000,
});

/** Default rates by provider (lower case, as in `agentburn.compute.provider`). */
export const DEFAULT_COMPUTE_RATES: Readonly<Record<string, ComputeRates>> = Object.freeze({
  e2b: E2B_DEFAULT_RATES,
  [COMPUTE_PROVIDER_DAYTONA]: DAYTONA_DEFAULT_RATES,
  [COMPUTE_PROVIDER_VERCEL]: VERCEL_DEFAULT_RATES,
});

/** Default sizes of E2B's public templates, for sandboxes whose size was not observed. */
export const E2B_TEMPLATE_SIZES: Record<string, { cpuCount: number; memoryMib: number }> = Object.freeze({
  base: Object.freeze({ cpuCount: 2, memoryMib: 512 }),
  'code-interpreter-v1': Object.freeze({ cpuCount: 2, memoryMib: 2048 }),
});

const E2B = 'e2b';

/**
 * The running interval a span bills: an `e2b.sandbox` span, or any span with
 * the generic `agentburn.compute.*` shape. Undefined for every other span,
 * E2B operation spans included. A missing size falls back to the template's
 * default size (else `base`) and marks the interval estimated; missing billed
 * seconds leave `billedSeconds` NaN, which prices as `unpriced`.
 */
export function readComputeInterval(spanName: string, attributes: Attributes): ComputeInterval | undefined {
  const issues: string[] = [];
  const estimated = attributes[ATTR_COST_ESTIMATED] === true;
  if (spanName === SPAN_E2B_SANDBOX) {
    let vcpu = readCount(attributes, ATTR_E2B_SANDBOX_CPU_COUNT, issues);
    let memoryMib = readCount(attributes, ATTR_E2B_SANDBOX_MEMORY_MIB, issues);
    let sized = true;
    if (vcpu === undefined || memoryMib === undefined) {
      const template = readString(attributes, ATTR_E2B_TEMPLATE_ID);
      const fallback = (template && E2B_TEMPLATE_SIZES[template]) || E2B_TEMPLATE_SIZES.base!;
      vcpu ??= fallback.cpuCount;
      memoryMib ??= fallback.memoryMib;
      sized = false;
      issues.push('sandbox size missing: template default used');
    }
    return interval(E2B, vcpu, memoryMib, attributes, ATTR_E2B_SANDBOX_BILLED_SECONDS, estimated || !sized, issues);
  }
  if (attributes[ATTR_COMPUTE_BILLED_SECONDS] === undefined && attributes[ATTR_COMPUTE_PROVIDER] === undefined) {
    return undefined;
  }
  const provider = readString(attributes, ATTR_COMPUTE_PROVIDER)?.toLowerCase() ?? 'unknown';
  const vcpu = readCount(attributes, ATTR_COMPUTE_VCPU, issues) ?? 0;
  const memoryMib = readCount(attributes, ATTR_COMPUTE_MEMORY_MIB, issues) ?? 0;
  const result = interval(provider, vcpu, memoryMib, attributes, ATTR_COMPUTE_BILLED_SECONDS, estimated, issues);
  const diskGib = readCount(attributes, ATTR_COMPUTE_DISK_GIB, issues);
  const creations = readCount(attributes, ATTR_COMPUTE_CREATIONS, issues);
  const activeCpuSeconds = readCount(attributes, ATTR_COMPUTE_ACTIVE_CPU_SECONDS, issues);
  if (diskGib !== undefined) result.diskGib = diskGib;
  if (creations !== undefined) result.creations = creations;
  if (activeCpuSeconds !== undefined) result.activeCpuSeconds = activeCpuSeconds;
  return result;
}

function interval(
  provider: string,
  vcpu: number,
  memoryMib: number,
  attributes: Attributes,
  secondsKey: string,
  estimated: boolean,
  issues: string[],
): ComputeInterval {
  const billed = readCount(attributes, secondsKey, issues);
  if (billed === undefined && attributes[secondsKey] === undefined) issues.push(`${secondsKey} is missing`);
  return { provider, vcpu, memoryMib, billedSeconds: billed ?? Number.NaN, estimated, issues };
}

/**
 * Prices sandbox intervals from per-provider rates (the published defaults
 * of E2B, Daytona and Vercel; any provider can be added or overridden).
 */
export class ComputePricer {
  private readonly rates = new Map<string, ComputeRates>(Object.entries(DEFAULT_COMPUTE_RATES));

  /**
   * `rates` (the `computeRates` option) win over the `computeRates` section
   * of the price file (`pricesFile`, else AGENTBURN_PRICES_FILE), which wins
   * over the published defaults. A malformed section is said once and ignored.
   */
  constructor(rates: Partial<Record<string, Partial<ComputeRates>>> = {}, pricesFile?: string | PricesFile) {
    this.apply(readPricesFile(pricesFile).computeRates);
    this.apply(rates);
  }

  private apply(rates: Partial<Record<string, Partial<ComputeRates>>>): void {
    for (const [name, partial] of Object.entries(rates)) {
      const provider = name.toLowerCase();
      const merged = { ...this.rates.get(provider), ...definedRates(partial) };
      if (merged.perVcpuSecond === undefined && merged.perActiveCpuSecond === undefined) continue;
      this.rates.set(provider, { perVcpuSecond: 0, perGibSecond: 0, ...merged });
    }
  }

  /**
   * `billed_seconds x (vcpu x perVcpuSecond + memory_mib / 1024 x perGibSecond
   * + disk_gib x perDiskGibSecond) + creations x perCreation`; with
   * `perActiveCpuSecond`, CPU is `active_cpu_seconds x perActiveCpuSecond`,
   * or at most `billed_seconds x vcpu` of it, estimated, when the active time
   * was not reported. Never throws.
   */
  price(interval: ComputeInterval): PriceResult {
    const rates = this.rates.get(interval.provider);
    if (rates === undefined) {
      return { status: COST_STATUS_UNPRICED, reason: COST_REASON_MODEL_UNKNOWN, estimated: interval.estimated };
    }
    if (!(interval.billedSeconds >= 0)) {
      return { status: COST_STATUS_UNPRICED, reason: COST_REASON_USAGE_MISSING, estimated: interval.estimated };
    }
    const seconds = interval.billedSeconds;
    let estimated = interval.estimated;
    let cpuUsd: number;
    if (rates.perActiveCpuSecond !== undefined) {
      // Only wall time known: every allocated vCPU busy all along is the ceiling of what Vercel bills.
      if (interval.activeCpuSeconds === undefined) estimated = true;
      cpuUsd = (interval.activeCpuSeconds ?? seconds * interval.vcpu) * rates.perActiveCpuSecond;
    } else {
      cpuUsd = seconds * interval.vcpu * rates.perVcpuSecond;
    }
    const parts = {
      cpuUsd,
      memoryUsd: seconds * (interval.memoryMib / 1024) * rates.perGibSecond,
      diskUsd: seconds * (interval.diskGib ?? 0) * (rates.perDiskGibSecond ?? 0),
      creationUsd: (interval.creations ?? 0) * (rates.perCreation ?? 0),
    };
    const computeUsd = parts.cpuUsd + parts.memoryUsd + parts.diskUsd + parts.creationUsd;
    return {
      status: COST_STATUS_PRICED,
      totalUsd: computeUsd,
      breakdown: { inputUsd: 0, outputUsd: 0, cacheReadUsd: 0, cacheWriteUsd: 0, computeUsd, computeParts: parts },
      source: PRICING_SOURCE_RATES,
      model: interval.provider,
      estimated,
    };
  }
}

function definedRates(partial: Partial<ComputeRates> | undefined): Partial<ComputeRates> {
  const out: Partial<ComputeRates> = {};
  for (const key of COMPUTE_RATE_KEYS) {
    const value = partial?.[key];
    if (typeof value === 'number' && Number.isFinite(value) && value >= 0) out[key] = value;
  }
  return out;
}
