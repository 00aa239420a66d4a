import {
  ATTR_COMPUTE_CPU_USED_AVG,
  ATTR_COMPUTE_CPU_USED_MAX,
  ATTR_COMPUTE_MEMORY_USED_MAX_MIB,
  ATTR_COMPUTE_SAMPLES,
  ATTR_E2B_TEMPLATE_ID,
  type ComputeInterval,
  ComputePricer,
  type ComputeRates,
  readComputeInterval,
} from '@agentburn/core';
import type { OtlpSpan } from './read-otlp-lines';

/** Allocated against used, for the sandboxes of one provider and size (or template). */
export interface RightSizingRow {
  provider: string;
  /** The template when known (E2B), else the size. */
  group: string;
  intervals: number;
  allocated: { vcpu: number; memoryMib: number };
  /** Highest use seen in any sample of the group. */
  peak: { vcpu: number; memoryMib: number };
  /** Share of the allocated vCPUs left unused on average, 0..1 (weighted by billed seconds). */
  idleShare: number;
  costUsd: number;
  /** The smallest size of the provider's ladder that holds the peak, and what the same intervals would have cost at it. */
  smallest?: { vcpu: number; memoryMib: number; costUsd: number };
}

/** Sizes a provider offers, smallest first, as (vCPU, MiB) pairs to choose from. */
const LADDERS: Record<string, Array<{ vcpu: number; memoryMib: number }>> = {
  e2b: grid([1, 2, 4, 8], [512, 1024, 2048, 4096, 8192]),
  daytona: grid([1, 2, 3, 4], [1024, 2048, 3072, 4096, 6144, 8192]),
  // Vercel allocates 2048 MB per vCPU.
  vercel: [1, 2, 4, 8].map((vcpu) => ({ vcpu, memoryMib: vcpu * 2048 })),
};

function grid(vcpus: number[], memories: number[]) {
  return vcpus.flatMap((vcpu) => memories.map((memoryMib) => ({ vcpu, memoryMib })));
}

interface Sampled {
  interval: ComputeInterval;
  group: string;
  avg: number;
  max: number;
  memoryMax: number;
}

/**
 * Groups the sampled sandbox intervals (those carrying
 * `agentburn.compute.samples` > 0) by provider and template or size, and
 * prices each group again at the smallest size that would have held its
 * observed peak. Intervals without samples are left out: nothing is known
 * of their use.
 */
export function rightSizing(
  spans: Iterable<OtlpSpan>,
  rates: Partial<Record<string, Partial<ComputeRates>>> = {},
): RightSizingRow[] {
  const pricer = new ComputePricer(rates);
  const groups = new Map<string, Sampled[]>();
  for (const span of spans) {
    const a = span.attributes;
    if (!(Number(a[ATTR_COMPUTE_SAMPLES]) > 0)) continue;
    const interval = readComputeInterval(span.name, a as Parameters<typeof readComputeInterval>[1]);
    if (!interval || !(interval.billedSeconds >= 0) || interval.vcpu <= 0) continue;
    const template = typeof a[ATTR_E2B_TEMPLATE_ID] === 'string' ? a[ATTR_E2B_TEMPLATE_ID] : undefined;
    const group = template ?? sizeLabel(interval.vcpu, interval.memoryMib);
    const key = `${interval.provider}\u0000${group}\u0000${interval.vcpu}\u0000${interval.memoryMib}`;
    const entry: Sampled = {
      interval,
      group,
      avg: Number(a[ATTR_COMPUTE_CPU_USED_AVG]) || 0,
      max: Number(a[ATTR_COMPUTE_CPU_USED_MAX]) || 0,
      memoryMax: Number(a[ATTR_COMPUTE_MEMORY_USED_MAX_MIB]) || 0,
    };
    groups.set(key, [...(groups.get(key) ?? []), entry]);
  }
  const rows: RightSizingRow[] = [];
  for (const members of groups.values()) {
    const first = members[0]!.interval;
    const peak = {
      vcpu: Math.max(...members.map((m) => m.max)),
      memoryMib: Math.max(...members.map((m) => m.memoryMax)),
    };
    const seconds = members.reduce((sum, m) => sum + m.interval.billedSeconds, 0);
    const usedVcpuSeconds = members.reduce((sum, m) => sum + m.avg * m.interval.billedSeconds, 0);
    const costAt = (vcpu: number, memoryMib: number) =>
      members.reduce((sum, m) => sum + (pricer.price({ ...m.interval, vcpu, memoryMib }).totalUsd ?? 0), 0);
    const row: RightSizingRow = {
      provider: first.provider,
      group: members[0]!.group,
      intervals: members.length,
      allocated: { vcpu: first.vcpu, memoryMib: first.memoryMib },
      peak,
      idleShare: seconds > 0 ? Math.max(0, 1 - usedVcpuSeconds / (seconds * first.vcpu)) : 0,
      costUsd: costAt(first.vcpu, first.memoryMib),
    };
    const fits = (LADDERS[first.provider] ?? [])
      .filter((s) => s.vcpu >= peak.vcpu && s.memoryMib >= peak.memoryMib)
      .map((s) => ({ ...s, costUsd: costAt(s.vcpu, s.memoryMib) }))
      .sort((x, y) => x.costUsd - y.costUsd);
    if (fits[0] && fits[0].costUsd < row.costUsd) row.smallest = fits[0];
    rows.push(row);
  }
  return rows.sort(
    (x, y) => y.costUsd - (y.smallest?.costUsd ?? y.costUsd) - (x.costUsd - (x.smallest?.costUsd ?? x.costUsd)),
  );
}

/** "2 vCPU / 2 GiB allocated, peak 0.4 vCPU / 610 MiB: 1 vCPU / 1 GiB would have cost $0.0012 less, -50%". */
export function formatRightSizing(row: RightSizingRow): string {
  const head =
    `${row.provider} ${row.group}: ${sizeLabel(row.allocated.vcpu, row.allocated.memoryMib)} allocated, ` +
    `peak ${round(row.peak.vcpu)} vCPU / ${Math.round(row.peak.memoryMib)} MiB, idle ${Math.round(row.idleShare * 100)}%`;
  if (!row.smallest) return `${head}: no smaller size would have held the peak`;
  const saved = row.costUsd - row.smallest.costUsd;
  const percent = row.costUsd > 0 ? Math.round((saved / row.costUsd) * 100) : 0;
  return `${head}: ${sizeLabel(row.smallest.vcpu, row.smallest.memoryMib)} would have cost $${saved.toFixed(4)} less, -${percent}%`;
}

function sizeLabel(vcpu: number, memoryMib: number): string {
  const memory = memoryMib % 1024 === 0 ? `${memoryMib / 1024} GiB` : `${memoryMib} MiB`;
  return `${vcpu} vCPU / ${memory}`;
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
