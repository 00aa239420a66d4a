/** Sandbox compute pricing: per second of allocated vCPU and RAM. */
import {
  ComputePricer,
  DAYTONA_DEFAULT_RATES,
  E2B_DEFAULT_RATES,
  E2B_TEMPLATE_SIZES,
  readComputeInterval,
  VERCEL_DEFAULT_RATES,
} from '@agentburn/core';
import { describe, expect, it } from 'vitest';

describe('readComputeInterval', () => {
  it('reads-e2b-sandbox-span', () => {
    expect(
      readComputeInterval('e2b.sandbox', {
        'e2b.sandbox.id': 'sbx_1',
        'e2b.template.id': 'code-interpreter-v1',
        'e2b.sandbox.cpu_count': 2,
        'e2b.sandbox.memory_mib': 2048,
        'e2b.sandbox.billed_seconds': 60,
        'e2b.sandbox.end_reason': 'killed',
      }),
    ).toEqual({ provider: 'e2b', vcpu: 2, memoryMib: 2048, billedSeconds: 60, estimated: false, issues: [] });
  });

  it('carries-estimated-flag-of-abandoned-interval', () => {
    const interval = readComputeInterval('e2b.sandbox', {
      'e2b.sandbox.cpu_count': 2,
      'e2b.sandbox.memory_mib': 512,
      'e2b.sandbox.billed_seconds': 300,
      'e2b.sandbox.end_reason': 'abandoned',
      'agentburn.cost.estimated': true,
    });
    expect(interval?.estimated).toBe(true);
  });

  it('falls-back-to-template-size-as-estimated', () => {
    const interval = readComputeInterval('e2b.sandbox', {
      'e2b.template.id': 'code-interpreter-v1',
      'e2b.sandbox.billed_seconds': 10,
    });
    expect(interval).toMatchObject({ vcpu: 2, memoryMib: 2048, estimated: true });
    expect(interval?.issues).toEqual(['sandbox size missing: template default used']);
    expect(E2B_TEMPLATE_SIZES.base).toEqual({ cpuCount: 2, memoryMib: 512 });
  });

  it('returns-undefined-for-e2b-operation-spans', () => {
    for (const name of [
      'e2b.sandbox.create',
      'e2b.sandbox.kill',
      'e2b.run_code',
      'e2b.commands.run',
      'e2b.files.write',
    ]) {
      expect(readComputeInterval(name, { 'e2b.sandbox.id': 'sbx_1' })).toBeUndefined();
    }
    expect(readComputeInterval('chat gpt-4o', { 'gen_ai.operation.name': 'chat' })).toBeUndefined();
  });

  it('reads-generic-compute-shape', () => {
    expect(
      readComputeInterval('daytona.workspace', {
        'agentburn.compute.provider': 'Daytona',
        'agentburn.compute.vcpu': 4,
        'agentburn.compute.memory_mib': 8192,
        'agentburn.compute.billed_seconds': 100,
      }),
    ).toEqual({ provider: 'daytona', vcpu: 4, memoryMib: 8192, billedSeconds: 100, estimated: false, issues: [] });
  });

  it('records-missing-billed-seconds', () => {
    const interval = readComputeInterval('e2b.sandbox', { 'e2b.sandbox.cpu_count': 2, 'e2b.sandbox.memory_mib': 512 });
    expect(interval?.issues).toEqual(['e2b.sandbox.billed_seconds is missing']);
    expect(new ComputePricer().price(interval!)).toEqual({
      status: 'unpriced',
      reason: 'usage_missing',
      estimated: false,
    });
  });
});

describe('ComputePricer', () => {
  it('prices-e2b-with-default-rates', () => {
    // 60 s x (2 vCPU x 0.000014 + 2048/1024 GiB x 0.0000045) = 60 x (0.000028 + 0.000009) = 0.00222.
    const result = new ComputePricer().price({
      provider: 'e2b',
      vcpu: 2,
      memoryMib: 2048,
      billedSeconds: 60,
      estimated: false,
      issues: [],
    });
    expect(result.status).toBe('priced');
    expect(result.source).toBe('rates');
    expect(result.totalUsd).toBeCloseTo(0.00222, 12);
    expect(result.breakdown?.computeUsd).toBeCloseTo(0.00222, 12);
    expect(E2B_DEFAULT_RATES).toEqual({ perVcpuSecond: 0.000014, perGibSecond: 0.0000045 });
  });

  it('prices-generic-shape-with-custom-rates', () => {
    // 100 s x (4 x 0.00001 + 8192/1024 x 0.000002) = 100 x (0.00004 + 0.000016) = 0.0056.
    const pricer = new ComputePricer({ daytona: { perVcpuSecond: 0.00001, perGibSecond: 0.000002 } });
    const interval = readComputeInterval('workspace', {
      'agentburn.compute.provider': 'daytona',
      'agentburn.compute.vcpu': 4,
      'agentburn.compute.memory_mib': 8192,
      'agentburn.compute.billed_seconds': 100,
    });
    expect(pricer.price(interval!).totalUsd).toBeCloseTo(0.0056, 12);
  });

  it('overrides-e2b-rate-partially', () => {
    // Only the vCPU rate changed: 60 x (2 x 0.00002 + 2 x 0.0000045) = 60 x 0.000049 = 0.00294.
    const pricer = new ComputePricer({ e2b: { perVcpuSecond: 0.00002 } });
    const result = pricer.price({
      provider: 'e2b',
      vcpu: 2,
      memoryMib: 2048,
      billedSeconds: 60,
      estimated: false,
      issues: [],
    });
    expect(result.totalUsd).toBeCloseTo(0.00294, 12);
  });

  it('leaves-provider-without-rates-unpriced', () => {
    const result = new ComputePricer().price({
      provider: 'modal',
      vcpu: 1,
      memoryMib: 1024,
      billedSeconds: 5,
      estimated: true,
      issues: [],
    });
    expect(result).toEqual({ status: 'unpriced', reason: 'model_unknown', estimated: true });
  });

  it('prices-daytona-vcpu-memory-and-disk-per-second', () => {
    // Daytona's hourly list: $0.0504/vCPU, $0.0162/GiB of memory, $0.000108/GiB of disk.
    // 1 hour of 2 vCPU / 4 GiB / 10 GiB = 2 x 0.0504 + 4 x 0.0162 + 10 x 0.000108 = 0.1008 + 0.0648 + 0.00108 = 0.16668.
    const interval = readComputeInterval('daytona.sandbox', {
      'agentburn.compute.provider': 'daytona',
      'agentburn.compute.vcpu': 2,
      'agentburn.compute.memory_mib': 4096,
      'agentburn.compute.disk_gib': 10,
      'agentburn.compute.billed_seconds': 3600,
    });
    const result = new ComputePricer().price(interval!);
    expect(result.totalUsd).toBeCloseTo(0.16668, 12);
    expect(result.breakdown?.computeParts?.cpuUsd).toBeCloseTo(0.1008, 12);
    expect(result.breakdown?.computeParts?.memoryUsd).toBeCloseTo(0.0648, 12);
    expect(result.breakdown?.computeParts?.diskUsd).toBeCloseTo(0.00108, 12);
    expect(result.estimated).toBe(false);
    expect(DAYTONA_DEFAULT_RATES.perVcpuSecond * 3600).toBeCloseTo(0.0504, 12);
  });

  it('prices-vercel-active-cpu-memory-and-creation', () => {
    // Vercel: $0.128 per active CPU hour, $0.0212 per GB-hour provisioned, $0.60 per million creations.
    // 900 CPU-seconds + 1 h of 4 GB + 1 creation = 0.032 + 0.0848 + 0.0000006 = 0.1168006.
    const interval = readComputeInterval('vercel.sandbox', {
      'agentburn.compute.provider': 'vercel',
      'agentburn.compute.vcpu': 2,
      'agentburn.compute.memory_mib': 4096,
      'agentburn.compute.active_cpu_seconds': 900,
      'agentburn.compute.creations': 1,
      'agentburn.compute.billed_seconds': 3600,
    });
    const result = new ComputePricer().price(interval!);
    expect(result.totalUsd).toBeCloseTo(0.1168006, 12);
    expect(result.breakdown?.computeParts?.creationUsd).toBeCloseTo(0.0000006, 15);
    expect(result.estimated).toBe(false);
    expect(VERCEL_DEFAULT_RATES.perCreation).toBe(0.0000006);
  });

  it('estimates-vercel-cpu-from-wall-time-when-active-cpu-is-unknown', () => {
    // No active CPU reported: at most 2 vCPUs busy for 600 s = 1200 CPU-seconds x 0.128/3600 = 0.042666...
    const result = new ComputePricer().price({
      provider: 'vercel',
      vcpu: 2,
      memoryMib: 4096,
      billedSeconds: 600,
      estimated: false,
      issues: [],
    });
    expect(result.estimated).toBe(true);
    expect(result.breakdown?.computeParts?.cpuUsd).toBeCloseTo((1200 * 0.128) / 3600, 12);
    // 600 s of 4 GB: 4 x 0.0212 / 6 = 0.014133...
    expect(result.breakdown?.computeParts?.memoryUsd).toBeCloseTo((4 * 0.0212) / 6, 12);
  });

  it('overrides-a-rate-key-of-its-own-and-ignores-bad-values', () => {
    const pricer = new ComputePricer({ daytona: { perDiskGibSecond: 0.001, perGibSecond: -1 } });
    // 10 s x (1 x 0.0504/3600 + 1 x 0.0162/3600 + 2 GiB x 0.001)
    const result = pricer.price({
      provider: 'daytona',
      vcpu: 1,
      memoryMib: 1024,
      diskGib: 2,
      billedSeconds: 10,
      estimated: false,
      issues: [],
    });
    expect(result.totalUsd).toBeCloseTo(10 * (0.0504 / 3600 + 0.0162 / 3600 + 0.002), 12);
  });
});
