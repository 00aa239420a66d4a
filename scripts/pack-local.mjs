#!/usr/bin/env node
// Packs every publishable package of the workspace (the built dist/) into one
// folder and prints the `npm install` line that adds them to an app. The way
// to install agentburn from a clone before the packages are on the registry.
//
//   npm run pack:local            (builds first; tarballs in ./packed)
//   node scripts/pack-local.mjs [out-dir]
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = resolve(process.argv[2] ?? join(root, 'packed'));

/** Workspace folders of the root package.json (`dir` or `dir/*`) holding a package that is not private. */
function publishablePackages() {
  const { workspaces } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const dirs = workspaces.flatMap((pattern) =>
    pattern.endsWith('/*')
      ? readdirSync(join(root, pattern.slice(0, -2)), { withFileTypes: true })
          .filter((d) => d.isDirectory())
          .map((d) => join(pattern.slice(0, -2), d.name))
      : [pattern],
  );
  return dirs.filter((dir) => {
    const manifest = join(root, dir, 'package.json');
    return existsSync(manifest) && JSON.parse(readFileSync(manifest, 'utf8')).private !== true;
  });
}

const packages = publishablePackages();
const unbuilt = packages.filter((dir) => !existsSync(join(root, dir, 'dist')));
if (unbuilt.length > 0) {
  process.stderr.write(`pack-local: not built: ${unbuilt.join(', ')}; run \`npm run build\` first\n`);
  process.exit(1);
}
mkdirSync(out, { recursive: true });
// Tarballs of an earlier run would be installed along with these.
for (const file of readdirSync(out)) if (file.endsWith('.tgz')) rmSync(join(out, file));
const packed = JSON.parse(
  execFileSync('npm', ['pack', '--json', '--pack-destination', out, ...packages.flatMap((dir) => ['-w', dir])], {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  }),
);
const tarballs = packed.map((p) => join(out, p.filename));
process.stdout.write(
  `${tarballs.length} packages packed into ${out}:\n${packed.map((p) => `  ${p.name}@${p.version}  ${p.filename}`).join('\n')}\n\n` +
    `Install them into your app (they depend on each other: give npm all of them):\n` +
    `  cd your-app && npm install ${out}/*.tgz @opentelemetry/api\n`,
);
