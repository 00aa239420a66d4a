import { ComputePricer } from '@agentburn/core';
import { describe, expect, it } from 'vitest';
import type { AttrValue } from '../src/report/read-otlp-lines';
import { PROVIDER_SIZES, RightSizingCollector, rightSizing } from '../src/report/right-sizing';

const sampled = (avg: AttrValue, max: AttrValue, memoryMax: AttrValue, samples: AttrValue = 10) => ({
  'agentburn.compute.samples': samples,
  'agentburn.compute.cpu_used_avg': avg,
  'agentburn.compute.cpu_used_max': max,
  'agentburn.compute.memory_used_max_mib': memoryMax,
});

const e2b = (billed: AttrValue, usage: Record<string, AttrValue>, vcpu = 2, memoryMib = 2048) => ({
  name: 'e2b.sandbox',
  attributes: {
    'e2b.template.id': 'code-interpreter-v1',
    'e2b.sandbox.cpu_count': vcpu,
    'e2b.sandbox.memory_mib': memoryMib,
    'e2b.sandbox.billed_seconds': billed,
    ...usage,
  },
});

const generic = (
  provider: string,
  vcpu: number,
  memoryMib: number,
  billed: number,
  extra: Record<string, AttrValue>,
) => ({
  name: 'sandbox.running',
  attributes: {
    'agentburn.compute.provider': provider,
    'agentburn.compute.vcpu': vcpu,
    'agentburn.compute.memory_mib': memoryMib,
    'agentburn.compute.billed_seconds': billed,
    ...extra,
  },
});

describe('RightSizingCollector', () => {
  it('picks-the-cheapest-offered-size-that-holds-both-peaks', () => {
    // 610 MiB needs 1 GiB; 1.2 vCPU needs 2: 100 s x (2 x 0.000014 + 0.0000045) = $0.00325 against
    // 100 s x 0.000037 = $0.0037 allocated: $0.00045 less, 0.00045 / 0.0037 = 12.2%.
    const [g] = rightSizing([e2b(100, sampled(0.5, 1.2, 610))], new ComputePricer()).groups;
    expect(g!.smallest).toEqual({
      vcpu: 2,
      memoryMib: 1024,
      costUsd: 0.00325,
      savedUsd: 0.00045,
      savedShare: 0.1216216216,
    });
  });

  it('a-peak-equal-to-a-size-fits-it', () => {
    const [g] = rightSizing([e2b(100, sampled(0.5, 1, 512))]).groups;
    expect(g!.smallest).toMatchObject({ vcpu: 1, memoryMib: 512 });
  });

  it('says-right-sized-when-no-cheaper-size-holds-the-peak', () => {
    const [g] = rightSizing([e2b(60, sampled(1.8, 2, 2000))]).groups;
    expect(g).toMatchObject({ verdict: 'right-sized', smallest: null, cpuIdleShare: 0.1 });
  });

  it('says-so-when-no-offered-size-holds-the-peak', () => {
    const [g] = rightSizing([e2b(60, sampled(7, 9.5, 2000), 8, 8192)]).groups;
    expect(g).toMatchObject({ verdict: 'no-size-holds-peak', smallest: null, cpuIdleShare: 0.125 });
  });

  it('counts-unsampled-and-zero-sample-intervals-without-guessing', () => {
    const report = rightSizing([e2b(30, {}), e2b(20, { 'agentburn.compute.samples': 0 })]);
    expect(report.unsampled).toEqual({ intervals: 2, billedSeconds: 50 });
    expect(report.groups[0]).toMatchObject({ verdict: 'not-sampled', used: null, costUsd: null, cpuIdleShare: null });
  });

  it('leaves-out-hostile-attributes-as-unreadable', () => {
    const report = rightSizing([
      e2b(10, sampled(Number.NaN, 0.4, 610)),
      e2b(10, sampled(0.2, Number.POSITIVE_INFINITY, 610)),
      e2b(10, sampled(0.2, 0.4, -5)),
      e2b(10, sampled(0.2, 0.4, 610, -3)),
      e2b(10, sampled(0.2, 0.4, '610')),
      // Present but undecodable: the reader leaves the key with no value (NaN is null in OTLP JSON).
      e2b(10, { ...sampled(0.2, 0.4, 610), 'agentburn.compute.samples': undefined }),
      e2b(-1, sampled(0.2, 0.4, 610)),
      e2b('soon', sampled(0.2, 0.4, 610)),
      generic('daytona', 0, 1024, 10, sampled(0.2, 0.4, 610)),
      // Implausible: a billion vCPUs, a 10-year interval, a peak of 1e300 vCPUs, 1e308 samples, 1e300 GiB of disk.
      generic('daytona', 1e9, 1024, 10, sampled(0.2, 0.4, 610)),
      e2b(315_360_000, sampled(0.2, 0.4, 610)),
      e2b(10, sampled(0.2, 1e300, 610)),
      e2b(10, sampled(0.2, 0.4, 610, 1e308)),
      generic('daytona', 2, 2048, 10, { 'agentburn.compute.disk_gib': 1e300, ...sampled(0.2, 0.4, 610) }),
    ]);
    expect(report).toEqual({ groups: [], savedUsd: 0, unsampled: { intervals: 0, billedSeconds: 0 }, unreadable: 14 });
  });

  it('a-sampled-interval-whose-size-was-not-stated-is-not-compared-to-a-default', () => {
    const sizeless = e2b(100, sampled(0.2, 0.4, 300));
    delete (sizeless.attributes as Record<string, AttrValue>)['e2b.sandbox.cpu_count'];
    const unsampledSizeless = e2b(50, {});
    delete (unsampledSizeless.attributes as Record<string, AttrValue>)['e2b.sandbox.memory_mib'];
    const report = rightSizing([sizeless, unsampledSizeless]);
    // Unsampled, it is still counted under the size it was billed at (the template's default); sampled, it is left out.
    expect(report.unreadable).toBe(1);
    expect(report.unsampled).toEqual({ intervals: 1, billedSeconds: 50 });
  });

  it('a-damaged-peak-below-the-mean-is-raised-to-the-mean', () => {
    const [g] = rightSizing([e2b(100, sampled(1.5, 0.1, 300))]).groups;
    expect(g!.used).toEqual({ cpuAvgVcpu: 1.5, peakVcpu: 1.5, peakMemoryMib: 300 });
  });

  it('zero-billed-seconds-give-no-idle-share-and-no-nan', () => {
    const [g] = rightSizing([e2b(0, sampled(0.2, 0.4, 610))]).groups;
    expect(g).toMatchObject({ cpuIdleShare: null, costUsd: 0, verdict: 'right-sized' });
    expect(JSON.stringify(g)).not.toMatch(/NaN|null,"smallest":\{/);
  });

  it('vercel-keeps-active-cpu-and-prices-memory-by-size', () => {
    // 2 vCPU / 4096 MiB, 1000 s, 100 active CPU s, peak 0.8 vCPU / 1500 MiB -> 1 vCPU / 2048 MiB:
    // CPU 100 x 0.128 / 3600 either way; memory 1000 x 4 x 0.0212 / 3600 against 1000 x 2 x 0.0212 / 3600.
    const [g] = rightSizing([
      generic('vercel', 2, 4096, 1000, { 'agentburn.compute.active_cpu_seconds': 100, ...sampled(0.1, 0.8, 1500) }),
    ]).groups;
    const cpu = (100 * 0.128) / 3600;
    expect(g!.costUsd).toBeCloseTo(cpu + (1000 * 4 * 0.0212) / 3600, 10);
    expect(g!.smallest).toMatchObject({ vcpu: 1, memoryMib: 2048 });
    expect(g!.smallest!.savedUsd).toBeCloseTo((1000 * 2 * 0.0212) / 3600, 10);
  });

  it('a-provider-with-rates-but-no-known-sizes-is-priced-without-a-suggestion', () => {
    const pricer = new ComputePricer({ modal: { perVcpuSecond: 0.00001, perGibSecond: 0.000001 } });
    const [g] = rightSizing([generic('modal', 4, 4096, 100, sampled(0.5, 1, 900))], pricer).groups;
    // 100 x (4 x 0.00001 + 4 x 0.000001) = $0.0044.
    expect(g).toMatchObject({ verdict: 'sizes-unknown', costUsd: 0.0044, smallest: null });
  });

  it('a-provider-without-rates-is-unpriced', () => {
    const [g] = rightSizing([generic('acme', 2, 2048, 100, sampled(0.5, 1, 900))]).groups;
    expect(g).toMatchObject({ verdict: 'unpriced', costUsd: null, smallest: null, cpuIdleShare: 0.75 });
  });

  it('memory-follows-groups-not-intervals', () => {
    const collector = new RightSizingCollector();
    for (let i = 0; i < 10_000; i++) collector.add(e2b(1, sampled(0.2, 0.4, 610)));
    const [g] = collector.result().groups;
    expect(g).toMatchObject({
      intervals: 10_000,
      sampled: { intervals: 10_000, samples: 100_000, billedSeconds: 10_000 },
    });
    // 10 000 s at 2 vCPU / 2 GiB against 1 vCPU / 1 GiB: $0.37 and $0.185, exact after 10 000 additions.
    expect(g).toMatchObject({ costUsd: 0.37, smallest: { costUsd: 0.185, savedUsd: 0.185, savedShare: 0.5 } });
  });

  it('offers-only-sizes-each-provider-documents', () => {
    expect(PROVIDER_SIZES.e2b!.sizes).toHaveLength(45);
    expect(Math.max(...PROVIDER_SIZES.e2b!.sizes.map((s) => s.memoryMib))).toBe(8192);
    expect(PROVIDER_SIZES.vercel!.sizes.every((s) => s.memoryMib === s.vcpu * 2048)).toBe(true);
    expect(PROVIDER_SIZES.daytona!.sizes.every((s) => s.vcpu <= 4 && s.memoryMib <= 8192)).toBe(true);
  });
});
