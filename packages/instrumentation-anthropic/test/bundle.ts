import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('../../../', import.meta.url));

/**
 * A scratch directory outside the repository whose `node_modules` is the
 * repository's, so files written there resolve the real installed packages.
 */
export function scratchDir(): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'agentburn-anthropic-'));
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Builds this package's source (with core's) into one JS file, as a child `node` process can load it. */
export async function buildInstrumentation(outfile: string, format: 'esm' | 'cjs'): Promise<void> {
  await build({
    entryPoints: [join(root, 'packages/instrumentation-anthropic/src/index.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format,
    target: 'node20',
    packages: 'external',
    alias: { '@agentburn/core': join(root, 'packages/core/src/index.ts') },
    logLevel: 'silent',
  });
}

/** Bundles the SDK itself into one file, as an application bundler would: no require hook sees it. */
export async function bundleSdk(outfile: string): Promise<void> {
  await build({
    stdin: { contents: "module.exports = require('@anthropic-ai/sdk');", resolveDir: root, loader: 'js' },
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    // The SDK's own OpenTelemetry dependency stays shared with the application.
    external: ['@opentelemetry/api'],
    logLevel: 'silent',
  });
}
