/**
 * `npm run demo` on a fresh machine: the code-gen agent example with no API
 * keys runs against the local simulated services and prints its bill.
 * Runs the built example (the root `npm test` builds first).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliIo } from '../packages/cli/src/io';
import { main } from '../packages/cli/src/main';

const DEMO = fileURLToPath(new URL('../examples/code-gen-agent/dist/main.cjs', import.meta.url));

/** `$0.000888` at 6 places -> 888: whole units of the last printed decimal, so the sum is exact. */
function toUnits(amount: string, places: number): number {
  const [whole = '0', frac = ''] = amount.replace('$', '').split('.');
  return Number(whole) * 10 ** places + Number(frac.padEnd(places, '0'));
}

function runDemo(args: string[] = []) {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of Object.keys(env)) {
    // No keys: the simulated services. No OTEL_* settings: nothing is exported off the machine.
    if (/^(OPENAI|ANTHROPIC|E2B)_/.test(key) || key.startsWith('OTEL_') || key.startsWith('AGENTBURN_'))
      delete env[key];
  }
  return spawnSync(process.execPath, [DEMO, ...args], { cwd, env, encoding: 'utf8', timeout: 30_000 });
}

const TRACES_FILE_NOTICE =
  "agentburn: traces written to .agentburn/traces.jsonl; 'npx agentburn report' sums them, 'npx agentburn report --html report.html' draws them\n";

// The demo writes the local trace file in its working directory.
const cwd = mkdtempSync(join(tmpdir(), 'agentburn-demo-'));
afterAll(() => rmSync(cwd, { recursive: true, force: true }));

/** The LLM line's amount, and what the printed token counts cost at these per-million prices. */
function llmBill(stdout: string, inputPerM: number, outputPerM: number) {
  let expected = 0;
  for (const [, input, output] of stdout.matchAll(/^iteration \d+: \S+ \((\d+) in \/ (\d+) out tokens\)/gm)) {
    expected += (Number(input) * inputPerM + Number(output) * outputPerM) / 1e6;
  }
  const printed = /^ {2}LLM +\$(\d+\.\d+)/m.exec(stdout)?.[1];
  return { printed: Number(printed), expected };
}

describe('demo', () => {
  let run: ReturnType<typeof runDemo>;
  beforeAll(() => {
    if (!existsSync(DEMO)) throw new Error(`${DEMO} is missing: run \`npm run build\` first`);
    run = runDemo();
  });

  it('completes-without-api-keys', () => {
    // The one line on stderr says where the traces went.
    expect(run.stderr).toBe(TRACES_FILE_NOTICE);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('tests pass after');
  });

  it('says-the-services-are-simulated', () => {
    expect(run.stdout).toMatch(/^services: simulated /m);
    expect(run.stdout).toMatch(/^Bill for this task \(simulated services\): \d+ iterations$/m);
  });

  it('shows-at-least-two-iterations-with-a-failure-fed-back', () => {
    const iterations = run.stdout.match(/^iteration \d+: /gm) ?? [];
    expect(iterations.length).toBeGreaterThanOrEqual(2);
    expect(run.stdout).toMatch(/^iteration 1: .* -> tests fail: AssertionError/m);
    expect(run.stdout).toMatch(new RegExp(`^iteration ${iterations.length}: .* -> tests pass$`, 'm'));
  });

  it('prints-a-total-equal-to-llm-plus-compute', () => {
    const amount = (label: string) => {
      const m = new RegExp(`^ {2}${label} +(\\$\\d+\\.\\d+)`, 'm').exec(run.stdout);
      expect(m, `a ${label} line`).not.toBeNull();
      return m![1]!;
    };
    const llm = amount('LLM');
    const compute = amount('compute');
    const total = amount('total');
    const places = Math.max(...[llm, compute, total].map((a) => a.split('.')[1]!.length));
    expect(toUnits(total, places)).toBeGreaterThan(0);
    expect(toUnits(llm, places)).toBeGreaterThan(0);
    expect(toUnits(compute, places)).toBeGreaterThan(0);
    expect(toUnits(llm, places) + toUnits(compute, places)).toBe(toUnits(total, places));
    expect(run.stdout).toMatch(/^ {2}compute .* s billed, .* s active, idle share \d+%$/m);
  });

  it('ends-by-pointing-at-the-local-trace-file-and-the-report-commands', () => {
    expect(run.stdout.trimEnd().split('\n').slice(-3)).toEqual([
      'traces: .agentburn/traces.jsonl',
      '  the bill per trace, agent and model:  npx agentburn report',
      '  as a page with a waterfall per trace: npx agentburn report --html report.html',
    ]);
    const lines = readFileSync(join(cwd, '.agentburn', 'traces.jsonl'), 'utf8')
      .trimEnd()
      .split('\n');
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(Object.keys(JSON.parse(line))).toEqual(['resourceSpans']);
  });

  it('shows-a-right-sizing-line-from-the-sampled-use', () => {
    // Samples every 5 simulated seconds of a 24 s interval (three model calls of 6 s, three runs of 2 s):
    // at 5, 10 and 20 s the kernel waits (2% of 2 vCPU = 0.04 vCPU, 380 MiB), at 15 s it runs the tests
    // (38% = 0.76 vCPU, 610 MiB). Mean 0.22 vCPU: 89% of 2 idle. 1 vCPU / 1 GiB holds the peak at
    // 0.0000185/s against 0.000037/s: 24 x 0.0000185 = $0.000444 less, -50%.
    const billed = Number(/ (\d+) s billed, /.exec(run.stdout)?.[1]);
    expect(billed).toBe(24);
    expect(run.stdout).toContain(
      '\nRight-sizing: e2b code-interpreter-v1: 2 vCPU / 2 GiB allocated, peak 0.76 vCPU / 610 MiB, CPU 89% idle: 1 vCPU / 1 GiB would have cost $0.000444 less, -50%\n',
    );
  });

  it('the-report-on-its-trace-file-shows-the-same-right-sizing', async () => {
    const out = { stdout: '', stderr: '' };
    const io: CliIo = {
      stdin: Readable.from([]),
      stdout: { write: (c: string) => (out.stdout += c) },
      stderr: { write: (c: string) => (out.stderr += c) },
    };
    expect(await main(['report', join(cwd, '.agentburn', 'traces.jsonl'), '--json'], io)).toBe(0);
    const { rightSizing } = JSON.parse(out.stdout);
    expect(rightSizing.groups).toEqual([
      {
        provider: 'e2b',
        template: 'code-interpreter-v1',
        allocated: { vcpu: 2, memoryMib: 2048 },
        intervals: 1,
        sampled: { intervals: 1, samples: 4, billedSeconds: 24 },
        unsampled: { intervals: 0, billedSeconds: 0 },
        used: { cpuAvgVcpu: 0.22, peakVcpu: 0.76, peakMemoryMib: 610 },
        cpuIdleShare: 0.89,
        costUsd: 0.000888,
        smallest: { vcpu: 1, memoryMib: 1024, costUsd: 0.000444, savedUsd: 0.000444, savedShare: 0.5 },
        verdict: 'smaller-size',
      },
    ]);
  });

  it('shows-the-sandbox-size-it-billed', () => {
    // code-interpreter-v1: 2 vCPU, 2048 MiB: per second 2 x 0.000014 + 2 x 0.0000045 = 0.000037.
    const m = /^ {2}compute +\$(\d+\.\d+) {2}2 vCPU, 2048 MiB: (\d+) s billed, /m.exec(run.stdout);
    expect(m, 'a compute line naming the size').not.toBeNull();
    expect(Number(m![1])).toBeCloseTo(Number(m![2]) * 0.000037, 12);
  });
});

describe('demo options in simulated mode', () => {
  it('simulated-mode-honours-provider-anthropic', () => {
    const r = runDemo(['--provider', 'anthropic']);
    expect(r.stderr).toBe(TRACES_FILE_NOTICE);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^services: simulated \(local Anthropic and E2B fakes on 127\.0\.0\.1, /m);
    const iterations = r.stdout.match(/^iteration \d+: claude-sonnet-4-6 \(/gm) ?? [];
    expect(iterations.length).toBe(3);
    expect(r.stdout).not.toContain('gpt-4o');
    // claude-sonnet-4-6: $3 / M input, $15 / M output.
    const llm = llmBill(r.stdout, 3, 15);
    expect(llm.printed).toBeGreaterThan(0);
    expect(llm.printed).toBeCloseTo(llm.expected, 9);
  });

  it('simulated-mode-honours-model', () => {
    const r = runDemo(['--model', 'gpt-4o-mini']);
    expect(r.stderr).toBe(TRACES_FILE_NOTICE);
    expect(r.status).toBe(0);
    expect((r.stdout.match(/^iteration \d+: gpt-4o-mini \(/gm) ?? []).length).toBe(3);
    // gpt-4o-mini: $0.15 / M input, $0.60 / M output.
    const llm = llmBill(r.stdout, 0.15, 0.6);
    expect(llm.printed).toBeGreaterThan(0);
    expect(llm.printed).toBeCloseTo(llm.expected, 9);
  });

  it('simulated-mode-picks-the-provider-of-the-model', () => {
    const r = runDemo(['--model', 'claude-haiku-4-5']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^services: simulated \(local Anthropic /m);
    expect(r.stdout).toMatch(/^iteration 1: claude-haiku-4-5 \(/m);
  });

  it('unknown-model-gets-a-clear-message', () => {
    const r = runDemo(['--model', 'no-such-model']);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      'code-gen-agent: --model no-such-model: no price known for this openai model, so its calls would be unpriced; try gpt-4o\n',
    );
  });
});

describe('demo --budget', () => {
  it('stops-at-the-iteration-that-would-cross-the-limit-and-prints-why-with-the-bill', () => {
    const run = runDemo(['--budget', '0.004']);
    expect(run.stderr).toBe(TRACES_FILE_NOTICE);
    expect(run.status).toBe(0);
    // Iteration 1 (gpt-4o, 92 in / 168 out: 92 x 2.5e-6 + 168 x 10e-6 = $0.00191) and 8 s of the
    // 2 vCPU / 2 GiB sandbox (8 x 0.000037 = $0.000296) leave $0.001794; iteration 2's worst case
    // (its estimated prompt plus 300 output tokens at $10/M = $0.003) does not fit, so it is not sent.
    expect(run.stdout).toMatch(/^iteration 1: gpt-4o \(92 in \/ 168 out tokens\) -> tests fail: /m);
    expect(run.stdout).toMatch(
      /^iteration 2: stopped before the call: budget "code-gen-agent" refused chat gpt-4o: it could cost up to \$0\.00\d+, \$0\.001794 left of \$0\.004000 /m,
    );
    expect(run.stdout).toContain('stopped by the $0.004 budget after 1 iteration\n');
    expect(run.stdout).toMatch(/^Bill for this task \(simulated services\): 1 iteration$/m);
    expect(run.stdout).toMatch(/^ {2}total +\$0\.002206$/m);
  });
});
