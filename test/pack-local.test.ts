/**
 * Installing from a clone before the packages are on the registry:
 * `npm run pack:local` packs every publishable package into one folder and
 * prints the install line. (scripts/test-packed.sh installs those tarballs
 * into a fresh app and runs it; the root `npm test` builds first.)
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const rootManifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));

/** Every workspace package that is not private: what a user installs. */
function publishable(): Array<{ name: string; version: string }> {
  return (rootManifest.workspaces as string[])
    .flatMap((pattern) =>
      pattern.endsWith('/*')
        ? readdirSync(join(ROOT, pattern.slice(0, -2))).map((d) => join(pattern.slice(0, -2), d))
        : [pattern],
    )
    .map((dir) => {
      try {
        return JSON.parse(readFileSync(join(ROOT, dir, 'package.json'), 'utf8'));
      } catch {
        return { private: true };
      }
    })
    .filter((pkg) => pkg.private !== true);
}

let out: string;
let run: ReturnType<typeof spawnSync>;
beforeAll(async () => {
  out = join(await mkdtemp(join(tmpdir(), 'agentburn-pack-')), 'packed');
  run = spawnSync(process.execPath, [join(ROOT, 'scripts/pack-local.mjs'), out], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 120_000,
  });
});
afterAll(async () => {
  await rm(join(out, '..'), { recursive: true, force: true });
});

describe('install from a clone', () => {
  it('npm-script-pack-local-builds-then-packs', () => {
    expect(rootManifest.scripts['pack:local']).toBe('npm run build && node scripts/pack-local.mjs');
  });

  it('pack-local-packs-every-publishable-package-into-one-folder', () => {
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const expected = publishable().map((p) => `${p.name.replace('@', '').replace('/', '-')}-${p.version}.tgz`);
    expect(expected).toContain('agentburn-node-0.1.0.tgz');
    expect(readdirSync(out).sort()).toEqual(expected.sort());
  });

  it('pack-local-prints-the-install-line-for-all-of-them', () => {
    expect(run.stdout).toContain(`  cd your-app && npm install ${out}/*.tgz @opentelemetry/api\n`);
  });
});
