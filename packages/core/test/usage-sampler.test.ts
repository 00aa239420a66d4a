import {
  ENV_SANDBOX_SAMPLE_SECONDS,
  systemClock,
  type UsageSample,
  UsageSampler,
  usageSampleSeconds,
} from '@agentburn/core';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../test/fakes/e2b-clock';

const refTimers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;

describe('usageSampleSeconds', () => {
  afterEach(() => {
    delete process.env[ENV_SANDBOX_SAMPLE_SECONDS];
  });

  it('is-off-by-default', () => {
    expect(usageSampleSeconds(undefined, () => {})).toBe(0);
  });

  it('reads-the-environment-when-no-option-is-given', () => {
    process.env[ENV_SANDBOX_SAMPLE_SECONDS] = ' 20 ';
    expect(usageSampleSeconds(undefined, () => {})).toBe(20);
    // The option wins over the environment.
    expect(usageSampleSeconds(0, () => {})).toBe(0);
  });

  it('says-once-and-stays-off-on-a-bad-value', () => {
    const warnings: string[] = [];
    process.env[ENV_SANDBOX_SAMPLE_SECONDS] = 'often';
    expect(usageSampleSeconds(undefined, (m) => warnings.push(m))).toBe(0);
    expect(warnings).toEqual([
      `${ENV_SANDBOX_SAMPLE_SECONDS} must be a non-negative number of seconds; usage sampling is off`,
    ]);
  });

  it('never-asks-more-than-once-a-second', () => {
    expect(usageSampleSeconds(0.01, () => {})).toBe(1);
  });
});

describe('UsageSampler', () => {
  it('sampling-timers-never-keep-the-process-alive', () => {
    const before = refTimers();
    const sampler = new UsageSampler({ clock: systemClock, everyMs: 60_000, fetch: async () => [] });
    sampler.start('sbx', Date.now());
    expect(refTimers()).toBe(before);
    expect(sampler.stop('sbx')).toEqual({ 'agentburn.compute.samples': 0 });
  });

  it('counts-each-sample-once-across-overlapping-answers', async () => {
    const clock = new ManualClock(0);
    const pending: Array<Promise<unknown>> = [];
    const all: UsageSample[] = [
      { atMs: 5000, cpuUsedVcpu: 1, memoryUsedMib: 100 },
      { atMs: 10_000, cpuUsedVcpu: 2, memoryUsedMib: 300 },
      { atMs: 15_000, cpuUsedVcpu: 0, memoryUsedMib: 200 },
    ];
    // A provider that answers from a second before `since` (E2B rounds `start` to seconds).
    const sampler = new UsageSampler({
      clock,
      everyMs: 10_000,
      fetch: async (_id, since) => all.filter((s) => s.atMs >= since - 1000 && s.atMs <= clock.now()),
      track: (p) => pending.push(p),
    });
    sampler.start('sbx', 0);
    clock.advance(10_000);
    await Promise.all(pending);
    clock.advance(10_000);
    await Promise.all(pending);
    expect(sampler.stop('sbx')).toEqual({
      'agentburn.compute.samples': 3,
      'agentburn.compute.cpu_used_avg': 1,
      'agentburn.compute.cpu_used_max': 2,
      'agentburn.compute.memory_used_max_mib': 300,
    });
  });
});
