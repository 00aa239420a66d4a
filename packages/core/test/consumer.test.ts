import { execFile, execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const packageDir = fileURLToPath(new URL('..', import.meta.url));
const consumers = fileURLToPath(new URL('./helpers/consumers/', import.meta.url));

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

// These tests load the BUILT package (dist/), as users get it. `npm test`
// builds first; when run alone, a missing or stale build is rebuilt here.
beforeAll(() => {
  const dist = join(packageDir, 'dist', 'index.cjs');
  if (!existsSync(dist) || statSync(dist).mtimeMs < newestMtime(join(packageDir, 'src'))) {
    execFileSync('npm', ['run', 'build', '-w', '@agentburn/core'], {
      cwd: join(packageDir, '..', '..'),
      stdio: 'ignore',
    });
  }
}, 120_000);

async function consume(script: string): Promise<Record<string, unknown>> {
  const { stdout } = await run(process.execPath, [join(consumers, script)], { cwd: consumers, timeout: 30_000 });
  return JSON.parse(stdout) as Record<string, unknown>;
}

describe('the built package', () => {
  it('works-when-required-from-commonjs', async () => {
    const out = await consume('consumer.cjs');
    // gpt-4o (genai-prices 0.1.8): 1000 x 2.5e-6 + 200 x 10e-6 = 0.0045
    expect(out.format).toBe('cjs');
    expect(out.cost).toBeCloseTo(0.0045, 15);
    expect(out.status).toBe('priced');
    expect(out.withAgent).toBe('function');
    expect(out.wrapWithCost).toBe('function');
  });

  it('works-when-imported-from-esm-and-shares-open-intervals-with-commonjs', async () => {
    const out = await consume('consumer.mjs');
    // 100 s x (2 x 0.000014 + 0.5 GiB x 0.0000045) = 0.003025
    expect(out.format).toBe('esm');
    expect(out.distinctCopies).toBe(true);
    expect(out.cost).toBeCloseTo(0.003025, 15);
    expect(out.status).toBe('priced');
    expect(out.withAgent).toBe('function');
  });
});
