import type { Attributes } from '@opentelemetry/api';
import {
  ATTR_COMPUTE_BILLED_SECONDS,
  ATTR_COMPUTE_MEMORY_MIB,
  ATTR_COMPUTE_PROVIDER,
  ATTR_COMPUTE_VCPU,
  ATTR_COST_ESTIMATED,
  ATTR_E2B_SANDBOX_BILLED_SECONDS,
  ATTR_E2B_SANDBOX_CPU_COUNT,
  ATTR_E2B_SANDBOX_MEMORY_MIB,
  ATTR_E2B_TEMPLATE_ID,
  COST_REASON_MODEL_UNKNOWN,
  COST_REASON_USAGE_MISSING,
  COST_STATUS_PRICED,
  COST_STATUS_UNPRICED,
  PRICING_SOURCE_RATES,
  SPAN_E2B_SANDBOX,
} from '../semconv';
import type { ComputeInterval, ComputeRates, PriceResult } from '../types';
import { readCount, readString } from '../usage/read';

/** E2B's published per-second rates (USD). */
export const E2B_DEFAULT_RATES: ComputeRates = Object.freeze({ perVcpuSecond: 0.000014, perGibSecond: 0.0000045 });

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
  return interval(provider, vcpu, memoryMib, attributes, ATTR_COMPUTE_BILLED_SECONDS, estimated, issues);
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

/** Prices sandbox intervals per second from per-provider rates (E2B's by default). */
export class ComputePricer {
  private readonly rates = new Map<string, ComputeRates>();

  constructor(rates: Partial<Record<string, Partial<ComputeRates>>> = {}) {
    this.rates.set(E2B, E2B_DEFAULT_RATES);
    for (const [provider, partial] of Object.entries(rates)) {
      const base = this.rates.get(provider.toLowerCase());
      const perVcpuSecond = partial?.perVcpuSecond ?? base?.perVcpuSecond;
      const perGibSecond = partial?.perGibSecond ?? base?.perGibSecond ?? 0;
      if (perVcpuSecond === undefined) continue;
      this.rates.set(provider.toLowerCase(), { perVcpuSecond, perGibSecond });
    }
  }

  /** `billed_seconds x (vcpu x perVcpuSecond + memory_mib / 1024 x perGibSecond)`. Never throws. */
  price(interval: ComputeInterval): PriceResult {
    const rates = this.rates.get(interval.provider);
    if (rates === undefined) {
      return { status: COST_STATUS_UNPRICED, reason: COST_REASON_MODEL_UNKNOWN, estimated: interval.estimated };
    }
    if (!(interval.billedSeconds >= 0)) {
      return { status: COST_STATUS_UNPRICED, reason: COST_REASON_USAGE_MISSING, estimated: interval.estimated };
    }
    const computeUsd =
      interval.billedSeconds * (interval.vcpu * rates.perVcpuSecond + (interval.memoryMib / 1024) * rates.perGibSecond);
    return {
      status: COST_STATUS_PRICED,
      totalUsd: computeUsd,
      breakdown: { inputUsd: 0, outputUsd: 0, cacheReadUsd: 0, cacheWriteUsd: 0, computeUsd },
      source: PRICING_SOURCE_RATES,
      model: interval.provider,
      estimated: interval.estimated,
    };
  }
}
