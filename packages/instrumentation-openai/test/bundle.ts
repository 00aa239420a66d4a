import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const repoRoot = join(packageDir, '..', '..');
/** Inside the repository (git-ignored), so the bundles resolve the installed dependencies. */
export const TMP_DIR = join(packageDir, 'test', '.tmp');

/**
 * Builds this package's current source (with @agentburn/core's source) into
 * plain JavaScript, the way tsup ships it, for child processes that cannot
 * load TypeScript. Dependencies stay external.
 */
export async function bundleInstrumentation(format: 'esm' | 'cjs'): Promise<string> {
  mkdirSync(TMP_DIR, { recursive: true });
  const outfile = join(TMP_DIR, `instrumentation-openai.${format === 'esm' ? 'mjs' : 'cjs'}`);
  await build({
    entryPoints: [join(packageDir, 'src', 'index.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format,
    target: 'node20',
    alias: { '@agentburn/core': join(repoRoot, 'packages', 'core', 'src', 'index.ts') },
    external: ['@opentelemetry/*', 'openai', 'openai/*', '@pydantic/genai-prices'],
    logLevel: 'silent',
  });
  return outfile;
}

/** The `openai` package inlined into one CommonJS file, as an application bundler would. */
export async function bundleOpenAI(): Promise<string> {
  mkdirSync(TMP_DIR, { recursive: true });
  const outfile = join(TMP_DIR, 'bundled-openai.cjs');
  await build({
    stdin: { contents: "module.exports = require('openai');", resolveDir: packageDir, loader: 'js' },
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    logLevel: 'silent',
  });
  return outfile;
}
