// The benchmarks run the current sources, not dist: esbuild turns a fake
// server and the instrumentation (with core's CostSpanProcessor) into plain
// JavaScript under bench/.tmp, dependencies external.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const root = fileURLToPath(new URL('../..', import.meta.url));
export const tmp = join(root, 'bench', '.tmp');

/**
 * Bundles `test/fakes/<fake>` to `<fakeOut>` and exports `instrumentationClass`
 * of `packages/<packageDir>` plus CostSpanProcessor into `<sourcesOut>`.
 * Returns the file URLs to import.
 */
export async function bundleForBench({ fake, fakeOut, packageDir, instrumentationClass, sourcesOut, external }) {
  const { build } = await import('esbuild');
  mkdirSync(tmp, { recursive: true });
  const core = join(root, 'packages/core/src/index.ts');
  const common = { bundle: true, platform: 'node', format: 'esm', target: 'node20', logLevel: 'silent' };
  await build({ ...common, entryPoints: [join(root, 'test/fakes', fake)], outfile: join(tmp, fakeOut) });
  await build({
    ...common,
    stdin: {
      contents: [
        `export { ${instrumentationClass} } from ${JSON.stringify(join(root, 'packages', packageDir, 'src/index.ts'))};`,
        `export { CostSpanProcessor } from ${JSON.stringify(core)};`,
      ].join('\n'),
      resolveDir: root,
      loader: 'ts',
    },
    outfile: join(tmp, sourcesOut),
    alias: { '@agentburn/core': core },
    external,
  });
  return { fakeUrl: pathToFileURL(join(tmp, fakeOut)).href, sourcesUrl: pathToFileURL(join(tmp, sourcesOut)).href };
}
