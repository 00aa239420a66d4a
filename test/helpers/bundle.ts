/**
 * esbuild bundles for tests that run code in a child `node` process or load
 * an SDK the way an application bundle ships it.
 */
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

/**
 * A scratch directory outside the repository whose `node_modules` is the
 * repository's, so files written there resolve the real installed packages.
 */
export function scratchDir(prefix: string): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  symlinkSync(join(repoRoot, 'node_modules'), join(dir, 'node_modules'), 'dir');
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * Builds a package's source (with @agentburn/core's source) into one JS file,
 * the way tsup ships it, for child processes that cannot load TypeScript.
 * Other dependencies stay external.
 */
export async function bundleInstrumentation(
  packageDir:
    | 'instrumentation-openai'
    | 'instrumentation-anthropic'
    | 'instrumentation-e2b'
    | 'instrumentation-google-genai'
    | 'instrumentation-bedrock',
  outfile: string,
  format: 'esm' | 'cjs',
): Promise<void> {
  await build({
    entryPoints: [join(repoRoot, 'packages', packageDir, 'src', 'index.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format,
    target: 'node20',
    packages: 'external',
    alias: { '@agentburn/core': join(repoRoot, 'packages', 'core', 'src', 'index.ts') },
    logLevel: 'silent',
  });
}

/** An SDK inlined into one CommonJS file, as an application bundler would: no require hook sees it. */
export async function bundleSdk(sdk: string, outfile: string): Promise<void> {
  await build({
    stdin: { contents: `module.exports = require(${JSON.stringify(sdk)});`, resolveDir: repoRoot, loader: 'js' },
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    // An SDK's own OpenTelemetry dependency stays shared with the application.
    external: ['@opentelemetry/api'],
    logLevel: 'silent',
  });
}
