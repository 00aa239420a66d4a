import { describe, expect, it } from 'vitest';
import type { OtlpSpan } from '../src/report/read-otlp-lines';
import { formatRightSizing, rightSizing } from '../src/report/right-sizing';

const e2bInterval = (id: string, billed: number, avg: number, max: number, memoryMax: number): OtlpSpan => ({
  traceId: 't1',
  spanId: id,
  name: 'e2b.sandbox',
  attributes: {
    'e2b.sandbox.id': id,
    'e2b.template.id': 'code-interpreter-v1',
    'e2b.sandbox.cpu_count': 2,
    'e2b.sandbox.memory_mib': 2048,
    'e2b.sandbox.billed_seconds': billed,
    'agentburn.compute.samples': 10,
    'agentburn.compute.cpu_used_avg': avg,
    'agentburn.compute.cpu_used_max': max,
    'agentburn.compute.memory_used_max_mib': memoryMax,
  },
});

describe('rightSizing', () => {
  it('prices-the-smallest-size-that-holds-the-observed-peak', () => {
    const rows = rightSizing([e2bInterval('a', 600, 0.2, 0.4, 610), e2bInterval('b', 400, 0.1, 0.3, 500)]);
    expect(rows).toHaveLength(1);
    const [row] = rows;
    // 1000 s at 2 vCPU / 2 GiB: 1000 x (2 x 0.000014 + 2 x 0.0000045) = $0.037.
    expect(row!.costUsd).toBeCloseTo(0.037, 12);
    // Peak 0.4 vCPU / 610 MiB fits 1 vCPU / 1024 MiB: 1000 x (0.000014 + 0.0000045) = $0.0185.
    expect(row!.smallest).toEqual({ vcpu: 1, memoryMib: 1024, costUsd: expect.closeTo(0.0185, 12) });
    // Used (0.2 x 600 + 0.1 x 400) / (1000 x 2) = 8% of the vCPUs: 92% idle.
    expect(row!.idleShare).toBeCloseTo(0.92, 12);
    expect(formatRightSizing(row!)).toBe(
      'e2b code-interpreter-v1: 2 vCPU / 2 GiB allocated, peak 0.4 vCPU / 610 MiB, idle 92%: 1 vCPU / 1 GiB would have cost $0.0185 less, -50%',
    );
  });

  it('leaves-out-intervals-that-were-not-sampled', () => {
    const unsampled = e2bInterval('c', 600, 0, 0, 0);
    unsampled.attributes['agentburn.compute.samples'] = 0;
    expect(rightSizing([unsampled])).toEqual([]);
  });

  it('says-so-when-no-smaller-size-holds-the-peak', () => {
    const [row] = rightSizing([e2bInterval('d', 60, 1.8, 2, 2000)]);
    expect(row!.smallest).toBeUndefined();
    expect(formatRightSizing(row!)).toMatch(/no smaller size would have held the peak$/);
  });
});
