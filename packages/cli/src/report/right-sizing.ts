import {
  ATTR_COMPUTE_CPU_USED_AVG,
  ATTR_COMPUTE_CPU_USED_MAX,
  ATTR_COMPUTE_MEMORY_USED_MAX_MIB,
  ATTR_COMPUTE_SAMPLES,
  ATTR_E2B_SANDBOX_CPU_COUNT,
  ATTR_E2B_SANDBOX_MEMORY_MIB,
  ATTR_E2B_TEMPLATE_ID,
  type ComputeInterval,
  ComputePricer,
  readComputeInterval,
  SPAN_E2B_SANDBOX,
} from '@agentburn/core';
import type { AttrValue, OtlpSpan } from './read-otlp-lines';
import { round10, Sum } from './sum';

/** A sandbox size: vCPUs and memory. */
export interface SandboxSize {
  vcpu: number;
  memoryMib: number;
}

/** The sizes right-sizing may suggest for one provider, and where they are documented. */
export interface ProviderSizes {
  sizes: readonly SandboxSize[];
  source: string;
}

const GIB = 1024;
const steps = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
const grid = (vcpus: number[], memories: number[]): SandboxSize[] =>
  vcpus.flatMap((vcpu) => memories.map((memoryMib) => ({ vcpu, memoryMib })));

/**
 * Sizes we suggest, per provider (read 2026-12-03). Each provider accepts
 * more shapes than these; these are the steps its own docs and calculators
 * offer, so a suggestion is one a user can pick.
 */
export const PROVIDER_SIZES: Readonly<Record<string, ProviderSizes>> = Object.freeze({
  e2b: {
    // A template's cpuCount and memoryMB; E2B's pricing calculator offers 1, 2, 4, 6 and 8 vCPUs, and its billing page caps a sandbox at 8 vCPU and 8 GB.
    sizes: grid([1, 2, 4, 6, 8], [512, ...steps(1, 8).map((g) => g * GIB)]),
    source:
      'E2B template cpuCount 1, 2, 4, 6 or 8 (e2b.dev/pricing) and memoryMB 512 MiB or 1 to 8 GiB (at most 8 vCPU and 8 GB: e2b.dev/docs/billing)',
  },
  daytona: {
    // `Resources` takes whole vCPUs and GiB; a sandbox may have at most 4 vCPU and 8 GiB unless the organization's limits are raised.
    sizes: grid(
      steps(1, 4),
      steps(1, 8).map((g) => g * GIB),
    ),
    source:
      'Daytona resources cpu 1 to 4 and memory 1 to 8 GiB, whole units (@daytonaio/sdk Resources; default per-sandbox limits, daytona.io/docs)',
  },
  vercel: {
    // `resources.vcpus`, each with 2048 MB of memory; at most 8.
    sizes: steps(1, 8).map((vcpu) => ({ vcpu, memoryMib: vcpu * 2048 })),
    source:
      'Vercel Sandbox resources.vcpus 1 to 8, each with 2048 MB of memory (@vercel/sandbox; vercel.com/docs/vercel-sandbox)',
  },
});

/** What right-sizing concluded for one group. */
export type RightSizingVerdict =
  /** A smaller size holds the observed peak and costs less: `smallest` says which, and the saving. */
  | 'smaller-size'
  /** The allocated size is already the cheapest one that holds the peak. */
  | 'right-sized'
  /** No size the provider offers holds the peak. */
  | 'no-size-holds-peak'
  /** The provider's sizes are not known here. */
  | 'sizes-unknown'
  /** No rates for the provider: its intervals cannot be priced. */
  | 'unpriced'
  /** No interval of the group carried usable samples: nothing is known of its use. */
  | 'not-sampled';

/** Allocated against used, for the sandbox intervals of one provider, template (when known) and size. */
export interface RightSizingGroup {
  provider: string;
  /** `e2b.template.id` when the spans carry it; null otherwise (the group is the size). */
  template: string | null;
  allocated: SandboxSize;
  /** Every interval of the group, sampled or not. */
  intervals: number;
  /** The intervals that carried usable samples; every figure below is theirs. */
  sampled: { intervals: number; samples: number; billedSeconds: number };
  /** Intervals with no sample: their use is unknown, and they are left out of the figures below. */
  unsampled: { intervals: number; billedSeconds: number };
  /** Mean vCPUs in use (weighted by billed seconds), highest vCPUs and MiB seen in any sample; null when not sampled. */
  used: { cpuAvgVcpu: number; peakVcpu: number; peakMemoryMib: number } | null;
  /** Share of the allocated vCPU-seconds not used, 0..1; null when not sampled or nothing was billed. */
  cpuIdleShare: number | null;
  /** The sampled intervals at the allocated size (USD); null when the provider has no rates. */
  costUsd: number | null;
  /** The cheapest offered size that holds the peak, when it costs less than the allocated one. */
  smallest: (SandboxSize & { costUsd: number; savedUsd: number; savedShare: number }) | null;
  verdict: RightSizingVerdict;
}

export interface RightSizingReport {
  /** Largest saving first, then most expensive. */
  groups: RightSizingGroup[];
  /** Sum of the groups' savings (USD). */
  savedUsd: number;
  /** Intervals without samples, over every group: sampling is off unless turned on. */
  unsampled: { intervals: number; billedSeconds: number };
  /** Intervals left out because their size, billed seconds or sample attributes are not usable numbers. */
  unreadable: number;
}

/** Sums that price like one interval: billed seconds, disk GiB-seconds, creations, active CPU. */
class Usage {
  intervals = 0;
  readonly seconds = new Sum();
  readonly diskGibSeconds = new Sum();
  readonly creations = new Sum();
  readonly activeCpuSeconds = new Sum();

  add(interval: ComputeInterval): void {
    this.intervals++;
    this.seconds.add(interval.billedSeconds);
    this.diskGibSeconds.add(interval.billedSeconds * (interval.diskGib ?? 0));
    this.creations.add(interval.creations ?? 0);
    this.activeCpuSeconds.add(interval.activeCpuSeconds ?? 0);
  }
}

interface GroupState {
  provider: string;
  template: string | null;
  allocated: SandboxSize;
  intervals: number;
  samples: number;
  usedVcpuSeconds: Sum;
  peakVcpu: number;
  peakMemoryMib: number;
  /** Sampled intervals whose active CPU time is known, and those where it is not (priced differently by providers that bill it). */
  withActiveCpu: Usage;
  withoutActiveCpu: Usage;
  unsampled: Usage;
}

/**
 * Past these, a figure is damage, not a sandbox: no provider sells more than
 * a few hundred vCPUs or TiB of memory, nor bills one interval for a year.
 */
const MAX_VCPU = 1024;
const MAX_MEMORY_MIB = 4 * 1024 * 1024;
const MAX_BILLED_SECONDS = 366 * 86_400;
const MAX_DISK_GIB = 1024 * 1024;
const MAX_CREATIONS = 1_000_000;

/** A usable figure: a finite number from 0 to `max`. */
const figure = (value: AttrValue, max = Number.MAX_VALUE): number | undefined =>
  typeof value === 'number' && value >= 0 && value <= max ? value : undefined;

const round3 = (n: number) => Math.round(n * 1000) / 1000;

/**
 * Folds sandbox running intervals (`e2b.sandbox` spans and the generic
 * `agentburn.compute.*` shape) into allocated-against-used per provider,
 * template and size, and prices each group's sampled intervals again at the
 * cheapest size of the provider that would have held the observed peak, with
 * core's compute pricing. Memory follows the number of groups, not spans.
 * Intervals without samples are counted, never guessed at.
 */
export class RightSizingCollector {
  private readonly groups = new Map<string, GroupState>();
  private unreadable = 0;

  /** `pricer`: the rates the spans were priced with (published rates, the prices file's `computeRates`). */
  constructor(private readonly pricer: ComputePricer = new ComputePricer()) {}

  /** Adds a span; spans that are not running intervals are ignored. */
  add(span: Pick<OtlpSpan, 'name' | 'attributes'>): void {
    const a = span.attributes;
    const interval = readComputeInterval(span.name, a as Parameters<typeof readComputeInterval>[1]);
    if (!interval) return;
    if (!plausible(interval)) {
      this.unreadable++;
      return;
    }
    // Present but undecodable (NaN is null on the wire) is damage, not "not sampled".
    const samples = ATTR_COMPUTE_SAMPLES in a ? (a[ATTR_COMPUTE_SAMPLES] ?? Number.NaN) : undefined;
    let sample: { count: number; avg: number; max: number; memory: number } | undefined;
    if (samples !== undefined && samples !== 0) {
      // At most one sample a second (the sampler's floor) fits in a billed interval.
      const count = figure(samples, MAX_BILLED_SECONDS);
      const avg = figure(a[ATTR_COMPUTE_CPU_USED_AVG], MAX_VCPU);
      const max = figure(a[ATTR_COMPUTE_CPU_USED_MAX], MAX_VCPU);
      const memory = figure(a[ATTR_COMPUTE_MEMORY_USED_MAX_MIB], MAX_MEMORY_MIB);
      // A size the span does not state (E2B's template default) is fine for a bill, not for a comparison.
      if (count === undefined || avg === undefined || max === undefined || memory === undefined || !stated(span)) {
        this.unreadable++;
        return;
      }
      sample = { count, avg, max, memory };
    }
    const group = this.group(interval, a[ATTR_E2B_TEMPLATE_ID]);
    group.intervals++;
    if (!sample) {
      group.unsampled.add(interval);
      return;
    }
    group.samples += sample.count;
    group.usedVcpuSeconds.add(sample.avg * interval.billedSeconds);
    // The peak is at least the mean, whatever a damaged span says.
    group.peakVcpu = Math.max(group.peakVcpu, sample.max, sample.avg);
    group.peakMemoryMib = Math.max(group.peakMemoryMib, sample.memory);
    (interval.activeCpuSeconds === undefined ? group.withoutActiveCpu : group.withActiveCpu).add(interval);
  }

  private group(interval: ComputeInterval, templateAttr: AttrValue): GroupState {
    const template = typeof templateAttr === 'string' && templateAttr !== '' ? templateAttr : null;
    const key = [interval.provider, template ?? '', interval.vcpu, interval.memoryMib].join('\u0000');
    let group = this.groups.get(key);
    if (!group) {
      group = {
        provider: interval.provider,
        template,
        allocated: { vcpu: interval.vcpu, memoryMib: interval.memoryMib },
        intervals: 0,
        samples: 0,
        usedVcpuSeconds: new Sum(),
        peakVcpu: 0,
        peakMemoryMib: 0,
        withActiveCpu: new Usage(),
        withoutActiveCpu: new Usage(),
        unsampled: new Usage(),
      };
      this.groups.set(key, group);
    }
    return group;
  }

  result(): RightSizingReport {
    const groups = [...this.groups.values()].map((g) => this.conclude(g));
    groups.sort(
      (x, y) =>
        (y.smallest?.savedUsd ?? 0) - (x.smallest?.savedUsd ?? 0) ||
        (y.costUsd ?? 0) - (x.costUsd ?? 0) ||
        y.intervals - x.intervals,
    );
    const saved = new Sum();
    const unsampledSeconds = new Sum();
    let unsampled = 0;
    for (const g of groups) {
      saved.add(g.smallest?.savedUsd ?? 0);
      unsampled += g.unsampled.intervals;
      unsampledSeconds.add(g.unsampled.billedSeconds);
    }
    return {
      groups,
      savedUsd: round10(saved.value),
      unsampled: { intervals: unsampled, billedSeconds: round10(unsampledSeconds.value) },
      unreadable: this.unreadable,
    };
  }

  /** What the group's sampled intervals cost at `size`; undefined when the provider has no rates. */
  private costAt(g: GroupState, size: SandboxSize): number | undefined {
    let total = 0;
    for (const [usage, activeKnown] of [
      [g.withActiveCpu, true],
      [g.withoutActiveCpu, false],
    ] as const) {
      if (usage.intervals === 0) continue;
      const seconds = usage.seconds.value;
      const price = this.pricer.price({
        provider: g.provider,
        ...size,
        billedSeconds: seconds,
        diskGib: seconds > 0 ? usage.diskGibSeconds.value / seconds : 0,
        creations: usage.creations.value,
        ...(activeKnown ? { activeCpuSeconds: usage.activeCpuSeconds.value } : {}),
        estimated: false,
        issues: [],
      });
      if (price.totalUsd === undefined) return undefined;
      total += price.totalUsd;
    }
    return total;
  }

  private conclude(g: GroupState): RightSizingGroup {
    const sampledIntervals = g.withActiveCpu.intervals + g.withoutActiveCpu.intervals;
    const seconds = g.withActiveCpu.seconds.value + g.withoutActiveCpu.seconds.value;
    const base = {
      provider: g.provider,
      template: g.template,
      allocated: g.allocated,
      intervals: g.intervals,
      sampled: { intervals: sampledIntervals, samples: g.samples, billedSeconds: round10(seconds) },
      unsampled: { intervals: g.unsampled.intervals, billedSeconds: round10(g.unsampled.seconds.value) },
    };
    if (sampledIntervals === 0) {
      return { ...base, used: null, cpuIdleShare: null, costUsd: null, smallest: null, verdict: 'not-sampled' };
    }
    const used = {
      cpuAvgVcpu: round3(seconds > 0 ? g.usedVcpuSeconds.value / seconds : 0),
      peakVcpu: round3(g.peakVcpu),
      peakMemoryMib: Math.round(g.peakMemoryMib),
    };
    const cpuIdleShare =
      seconds > 0
        ? round10(Math.min(1, Math.max(0, 1 - g.usedVcpuSeconds.value / (seconds * g.allocated.vcpu))))
        : null;
    const cost = this.costAt(g, g.allocated);
    const concluded = {
      ...base,
      used,
      cpuIdleShare,
      costUsd: cost === undefined ? null : round10(cost),
      smallest: null,
    };
    if (cost === undefined) return { ...concluded, verdict: 'unpriced' };
    const offered = PROVIDER_SIZES[g.provider];
    if (!offered) return { ...concluded, verdict: 'sizes-unknown' };
    let best: (SandboxSize & { costUsd: number }) | undefined;
    for (const size of offered.sizes) {
      if (size.vcpu < g.peakVcpu || size.memoryMib < g.peakMemoryMib) continue;
      const at = this.costAt(g, size);
      if (at !== undefined && (best === undefined || at < best.costUsd)) best = { ...size, costUsd: at };
    }
    if (!best) return { ...concluded, verdict: 'no-size-holds-peak' };
    const saved = round10(cost - best.costUsd);
    if (!(saved > 0)) return { ...concluded, verdict: 'right-sized' };
    return {
      ...concluded,
      smallest: {
        vcpu: best.vcpu,
        memoryMib: best.memoryMib,
        costUsd: round10(best.costUsd),
        savedUsd: saved,
        savedShare: cost > 0 ? round10(saved / cost) : 0,
      },
      verdict: 'smaller-size',
    };
  }
}

/** Whether an `e2b.sandbox` span states its size (any other interval's size comes from its own attributes). */
function stated(span: Pick<OtlpSpan, 'name' | 'attributes'>): boolean {
  if (span.name !== SPAN_E2B_SANDBOX) return true;
  return (
    figure(span.attributes[ATTR_E2B_SANDBOX_CPU_COUNT]) !== undefined &&
    figure(span.attributes[ATTR_E2B_SANDBOX_MEMORY_MIB]) !== undefined
  );
}

/** An interval whose size and billed parts are numbers a provider could bill. */
function plausible(interval: ComputeInterval): boolean {
  return (
    figure(interval.billedSeconds, MAX_BILLED_SECONDS) !== undefined &&
    interval.vcpu > 0 &&
    interval.vcpu <= MAX_VCPU &&
    interval.memoryMib > 0 &&
    interval.memoryMib <= MAX_MEMORY_MIB &&
    figure(interval.diskGib ?? 0, MAX_DISK_GIB) !== undefined &&
    figure(interval.creations ?? 0, MAX_CREATIONS) !== undefined &&
    figure(interval.activeCpuSeconds ?? 0, MAX_VCPU * MAX_BILLED_SECONDS) !== undefined
  );
}

/** Right-sizing of a list of spans at once (the collector, fed and read). */
export function rightSizing(spans: Iterable<Pick<OtlpSpan, 'name' | 'attributes'>>, pricer?: ComputePricer) {
  const collector = new RightSizingCollector(pricer);
  for (const span of spans) collector.add(span);
  return collector.result();
}

/** `2 vCPU / 2 GiB`, `2 vCPU / 512 MiB`. */
export function sizeLabel(size: SandboxSize): string {
  const memory = size.memoryMib % GIB === 0 ? `${size.memoryMib / GIB} GiB` : `${size.memoryMib} MiB`;
  return `${size.vcpu} vCPU / ${memory}`;
}

/** `e2b code-interpreter-v1`, or `daytona` for a group known by its size alone. */
export function groupLabel(group: Pick<RightSizingGroup, 'provider' | 'template'>): string {
  return group.template === null ? group.provider : `${group.provider} ${group.template}`;
}
