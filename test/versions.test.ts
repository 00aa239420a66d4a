import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as anthropic from '../packages/instrumentation-anthropic/src/version';
import * as bedrock from '../packages/instrumentation-bedrock/src/version';
import * as daytona from '../packages/instrumentation-daytona/src/version';
import * as e2b from '../packages/instrumentation-e2b/src/version';
import * as googleGenai from '../packages/instrumentation-google-genai/src/version';
import * as openai from '../packages/instrumentation-openai/src/version';
import * as vercel from '../packages/instrumentation-vercel-sandbox/src/version';

// The instrumentation scope of every span names the package and its version:
// both must be what package.json publishes.
const cases = [
  ['instrumentation-openai', openai],
  ['instrumentation-anthropic', anthropic],
  ['instrumentation-e2b', e2b],
  ['instrumentation-google-genai', googleGenai],
  ['instrumentation-bedrock', bedrock],
  ['instrumentation-daytona', daytona],
  ['instrumentation-vercel-sandbox', vercel],
] as const;

describe('instrumentation scope', () => {
  for (const [dir, version] of cases) {
    it(`scope-matches-package-json-of-${dir}`, () => {
      const pkg = JSON.parse(readFileSync(new URL(`../packages/${dir}/package.json`, import.meta.url), 'utf8'));
      expect(version.PACKAGE_NAME).toBe(pkg.name);
      expect(version.PACKAGE_VERSION).toBe(pkg.version);
    });
  }
});
