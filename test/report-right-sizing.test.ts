/**
 * `agentburn report` right-sizing on a trace file with sampled sandbox
 * intervals (test/fixtures/otlp/right-sizing.ts works every figure out by
 * hand): the terminal section, the `rightSizing` object of --json, the
 * --html section, the prices file's computeRates, and hostile sample
 * attributes that must never show as NaN.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { ENV_PRICES_FILE } from '@agentburn/core';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { CliIo } from '../packages/cli/src/io';
import { main } from '../packages/cli/src/main';
import { rightSizingFixture } from './fixtures/otlp/right-sizing';

const dir = mkdtempSync(join(tmpdir(), 'agentburn-right-sizing-'));
const file = join(dir, 'traces.jsonl');
writeFileSync(file, `${rightSizingFixture}\n`);
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => {
  delete process.env[ENV_PRICES_FILE];
});

async function reportOn(traces: string, ...args: string[]) {
  const out = { stdout: '', stderr: '' };
  const io: CliIo = {
    stdin: Readable.from([]),
    stdout: { write: (c: string) => (out.stdout += c) },
    stderr: { write: (c: string) => (out.stderr += c) },
  };
  const code = await main(['report', traces, ...args], io);
  return { code, ...out };
}
const report = (...args: string[]) => reportOn(file, ...args);

/** The text report's right-sizing section, from its title to the end. */
const section = (stdout: string) => stdout.slice(stdout.indexOf('Right-sizing')).trimEnd().split('\n');

describe('agentburn report right-sizing', () => {
  it('prints-one-sentence-per-group-with-exact-savings', async () => {
    const r = await report();
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(section(r.stdout)).toEqual([
      'Right-sizing: sampled use against the allocated size',
      '  daytona: 4 vCPU / 8 GiB allocated, peak 2.6 vCPU / 3000 MiB, CPU 65% idle: 3 vCPU / 3 GiB would have cost $0.1314 less, -40%',
      '    1 interval sampled (720 samples, 3600 s billed, $0.33228 at this size)',
      '  e2b code-interpreter-v1: 2 vCPU / 2 GiB allocated, peak 0.4 vCPU / 610 MiB, CPU 92% idle: 1 vCPU / 1 GiB would have cost $0.0185 less, -50%',
      '    2 intervals sampled (200 samples, 1000 s billed, $0.037 at this size)',
      '  vercel: 1 vCPU / 2 GiB allocated, peak 0.9 vCPU / 1500 MiB, CPU 70% idle: already the cheapest size that holds the peak',
      '    1 interval sampled (20 samples, 100 s billed, $0.00224504 at this size)',
      '  e2b base: 2 vCPU / 512 MiB allocated: not sampled, use unknown',
      '    1 interval not sampled (120 s billed)',
      '  in all: $0.1499 less at the smallest sizes that hold each peak',
      '  1 interval (120 s billed) not sampled: their use is unknown, so they are left out.',
      "  Sampling is off by default: set AGENTBURN_SANDBOX_SAMPLE_SECONDS=5 where the sandboxes run (or the E2B instrumentation's sampleUsageEverySeconds).",
      '  4 intervals left out: size, billed seconds or sample attributes are not usable numbers',
    ]);
  });

  it('with-nothing-sampled-says-how-to-turn-sampling-on-in-two-lines', async () => {
    const unsampledOnly = join(dir, 'unsampled.jsonl');
    // The base interval of the fixture alone (line 1, third span), as a file.
    const line = JSON.parse(rightSizingFixture.split('\n')[0]!);
    line.resourceSpans[0].scopeSpans[0].spans.splice(0, 2);
    writeFileSync(unsampledOnly, `${JSON.stringify(line)}\n`);
    const out = await reportOn(unsampledOnly);
    expect(out.code).toBe(0);
    expect(section(out.stdout)).toEqual([
      'Right-sizing: no sandbox interval was sampled (1 interval, 120 s billed), so their use is unknown.',
      "  Sampling is off by default: set AGENTBURN_SANDBOX_SAMPLE_SECONDS=5 where the sandboxes run (or the E2B instrumentation's sampleUsageEverySeconds).",
    ]);
  });

  it('json-carries-the-documented-shape-with-exact-figures', async () => {
    const r = await report('--json');
    const { rightSizing } = JSON.parse(r.stdout);
    expect(Object.keys(rightSizing)).toEqual(['groups', 'savedUsd', 'unsampled', 'unreadable']);
    expect(rightSizing.savedUsd).toBe(0.1499);
    expect(rightSizing.unsampled).toEqual({ intervals: 1, billedSeconds: 120 });
    expect(rightSizing.unreadable).toBe(4);
    expect(rightSizing.groups.map((g: { verdict: string }) => g.verdict)).toEqual([
      'smaller-size',
      'smaller-size',
      'right-sized',
      'not-sampled',
    ]);
    expect(rightSizing.groups[1]).toEqual({
      provider: 'e2b',
      template: 'code-interpreter-v1',
      allocated: { vcpu: 2, memoryMib: 2048 },
      intervals: 2,
      sampled: { intervals: 2, samples: 200, billedSeconds: 1000 },
      unsampled: { intervals: 0, billedSeconds: 0 },
      used: { cpuAvgVcpu: 0.16, peakVcpu: 0.4, peakMemoryMib: 610 },
      cpuIdleShare: 0.92,
      costUsd: 0.037,
      smallest: { vcpu: 1, memoryMib: 1024, costUsd: 0.0185, savedUsd: 0.0185, savedShare: 0.5 },
      verdict: 'smaller-size',
    });
    expect(rightSizing.groups[0]).toMatchObject({
      provider: 'daytona',
      template: null,
      allocated: { vcpu: 4, memoryMib: 8192 },
      cpuIdleShare: 0.65,
      costUsd: 0.33228,
      smallest: { vcpu: 3, memoryMib: 3072, costUsd: 0.20088, savedUsd: 0.1314, savedShare: 0.3954496208 },
    });
    // Vercel bills the 30 active CPU seconds whatever the size: 30 x 0.128 / 3600 + 100 x 2 x 0.0212 / 3600 + 0.6 / 1e6.
    expect(rightSizing.groups[2]).toMatchObject({ provider: 'vercel', costUsd: 0.0022450444, smallest: null });
    expect(rightSizing.groups[3]).toEqual({
      provider: 'e2b',
      template: 'base',
      allocated: { vcpu: 2, memoryMib: 512 },
      intervals: 1,
      sampled: { intervals: 0, samples: 0, billedSeconds: 0 },
      unsampled: { intervals: 1, billedSeconds: 120 },
      used: null,
      cpuIdleShare: null,
      costUsd: null,
      smallest: null,
      verdict: 'not-sampled',
    });
  });

  it('hostile-sample-attributes-are-left-out-never-nan', async () => {
    const text = await report();
    const json = await report('--json');
    const html = join(dir, 'hostile.html');
    await report('--html', html);
    for (const output of [text.stdout, json.stdout, readFileSync(html, 'utf8')]) {
      expect(output).not.toMatch(/NaN|Infinity|undefined/);
    }
    // The four damaged intervals are still billed: the compute total counts them ($0.000037 each).
    expect(JSON.parse(json.stdout).compute.costUsd).toBe(0.3753030444);
  });

  it('prices-sizes-with-the-prices-file-compute-rates', async () => {
    const prices = join(dir, 'prices.json');
    writeFileSync(prices, JSON.stringify({ computeRates: { e2b: { perVcpuSecond: 0.00002 } } }));
    process.env[ENV_PRICES_FILE] = prices;
    const { rightSizing } = JSON.parse((await report('--json')).stdout);
    // 1000 s x (2 x 0.00002 + 2 x 0.0000045) = $0.049; at 1 vCPU / 1 GiB: 1000 x (0.00002 + 0.0000045) = $0.0245.
    expect(rightSizing.groups[1]).toMatchObject({
      template: 'code-interpreter-v1',
      costUsd: 0.049,
      smallest: { vcpu: 1, memoryMib: 1024, costUsd: 0.0245, savedUsd: 0.0245, savedShare: 0.5 },
    });
  });

  it('a-broken-prices-file-is-said-and-the-published-rates-apply', async () => {
    const prices = join(dir, 'broken.json');
    writeFileSync(prices, JSON.stringify({ computeRates: { e2b: { perVcpuSecond: -1 } } }));
    process.env[ENV_PRICES_FILE] = prices;
    const r = await report('--json');
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(
      `agentburn report: AGENTBURN_PRICES_FILE ${prices}: "computeRates" provider "e2b": "perVcpuSecond" must be a non-negative number; right-sizing uses the published sandbox rates\n`,
    );
    expect(JSON.parse(r.stdout).rightSizing.groups[1].costUsd).toBe(0.037);
  });

  it('top-limits-the-groups-and-by-leaves-right-sizing-out', async () => {
    const top = section((await report('--top', '1')).stdout);
    expect(top[0]).toBe('Right-sizing: sampled use against the allocated size (top 1 of 4)');
    expect(top[1]).toMatch(/^ {2}daytona: /);
    expect(top[3]).toBe('  in all: $0.1499 less at the smallest sizes that hold each peak');
    const by = await report('--by', 'model');
    expect(by.stdout).not.toContain('Right-sizing');
    expect(Object.keys(JSON.parse((await report('--json', '--by', 'day')).stdout))).not.toContain('rightSizing');
  });

  it('html-section-shows-the-exact-figures', async () => {
    const out = join(dir, 'report.html');
    expect((await report('--html', out)).code).toBe(0);
    const page = readFileSync(out, 'utf8');
    const row = (label: string) => {
      const m = new RegExp(`<tr data-rightsizing="${label}"[^>]*>(.*?)</tr>`).exec(page);
      expect(m, label).not.toBeNull();
      return [...m![1]!.matchAll(/<td[^>]*>(.*?)<\/td>/g)].map((c) => c[1]!.replace(/<[^>]+>/g, '').trim());
    };
    expect(page).toContain('<b data-testid="rs-saved">$0.1499</b>');
    expect(row('e2b code-interpreter-v1')).toEqual([
      'e2b code-interpreter-v1',
      '2 vCPU / 2 GiB',
      'CPU peak 0.4, mean 0.16 vCPUmemory peak 610 MiB',
      '92%',
      '2 intervals, 1000 s',
      '$0.037',
      '1 vCPU / 1 GiBwould have cost $0.0185',
      '$0.0185 -50%',
    ]);
    expect(row('e2b base')).toEqual([
      'e2b base',
      '2 vCPU / 512 MiB',
      'not sampled: use unknown (1 interval, 120 s billed)',
    ]);
    expect(page).toContain('set <code>AGENTBURN_SANDBOX_SAMPLE_SECONDS=5</code>');
  });
});
