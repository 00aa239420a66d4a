/**
 * What the README and docs promise: the telemetry contract ships as
 * docs/telemetry.md with every name the code writes, and every page a user
 * lands on links it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as semconv from '../packages/core/src/semconv';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');
const TELEMETRY = read('docs/telemetry.md');
const README = read('README.md');

/** Constants that name an attribute, span, event, metric or variable, or a value of one. */
const CONTRACT =
  /^(ATTR|SPAN|EVENT|METRIC|ENV)_|^(COST_STATUS|COST_REASON|COST_KIND|PRICING_SOURCE|SANDBOX_END|BUDGET_STATUS|BUDGET_ACTION|GEN_AI_OPERATION|GEN_AI_PROVIDER|GEN_AI_TOKEN_TYPE|COMPUTE_PROVIDER)_/;

describe('docs/telemetry.md', () => {
  it('telemetry-md-names-every-contract-name-and-value-in-semconv', () => {
    const names = Object.entries(semconv as Record<string, unknown>).filter(
      (entry): entry is [string, string] => CONTRACT.test(entry[0]) && typeof entry[1] === 'string',
    );
    expect(names.length).toBeGreaterThan(80);
    const missing = names
      .filter(([, value]) => !TELEMETRY.includes(`\`${value}`))
      .map(([key, value]) => `${key} = ${value}`);
    expect(missing, 'names the code writes but docs/telemetry.md does not list').toEqual([]);
  });

  it('readme-links-the-telemetry-contract', () => {
    expect(README).toContain('](docs/telemetry.md)');
  });

  it('every-package-readme-has-install-use-and-the-contract-link', () => {
    for (const dir of readdirSync(join(ROOT, 'packages'))) {
      const text = read(`packages/${dir}/README.md`);
      const name = JSON.parse(read(`packages/${dir}/package.json`)).name as string;
      expect(text, `${dir}: install line`).toMatch(new RegExp(`npm install [^\\n]*${name.replace('/', '\\/')}`));
      expect(text, `${dir}: a usage example`).toMatch(/```(ts|sh|console)\n/);
      expect(text, `${dir}: link to the contract`).toContain('docs/telemetry.md');
    }
  });
});

describe('README', () => {
  it('readme-says-anthropic-users-get-the-sdks-native-span', () => {
    expect(README).toContain('`anthropic.messages.create`');
    expect(README).toContain('`gen_ai.usage.cache_write.input_tokens`');
  });

  it('readme-gives-an-install-path-from-a-clone', () => {
    expect(README).toContain('npm run pack:local');
    expect(README).toMatch(/npm install [^\n]*\/packed\/\*\.tgz/);
  });
});
