/**
 * `npm run demo` on a fresh machine: the code-gen agent example with no API
 * keys runs against the local simulated services and prints its bill.
 * Runs the built example (the root `npm test` builds first).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

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
  return spawnSync(process.execPath, [DEMO, ...args], { env, encoding: 'utf8', timeout: 30_000 });
}

describe('demo', () => {
  let run: ReturnType<typeof runDemo>;
  beforeAll(() => {
    if (!existsSync(DEMO)) throw new Error(`${DEMO} is missing: run \`npm run build\` first`);
    run = runDemo();
  });

  it('completes-without-api-keys', () => {
    expect(run.stderr).toBe('');
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
});

describe('demo --budget', () => {
  it('stops-at-the-iteration-that-would-cross-the-limit-and-prints-why-with-the-bill', () => {
    const run = runDemo(['--budget', '0.004']);
    expect(run.stderr).toBe('');
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
