/**
 * The built `agentburn` bin, run as users run it: a child process of `node`
 * (the root `npm test` builds first).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  ATTR_AGENT_NAME,
  ATTR_COST_STATUS,
  ATTR_COST_USD,
  ATTR_GEN_AI_REQUEST_MODEL,
  COST_STATUS_PRICED,
  ENV_PRICES_FILE,
} from '@agentburn/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hexId, otlpLine } from './fixtures/otlp/otlp-lines';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI_PACKAGE = JSON.parse(readFileSync(join(ROOT, 'packages/cli/package.json'), 'utf8'));
/** The bin as npm links it: the committed shim, which loads the built dist/cli.js. */
const CLI = join(ROOT, 'packages/cli', CLI_PACKAGE.bin.agentburn);
const BUILT = join(ROOT, 'packages/cli/dist/cli.js');

function agentburn(args: string[], options: { input?: string; env?: Record<string, string> } = {}) {
  const env = { ...process.env, ...options.env };
  if (!options.env?.[ENV_PRICES_FILE]) delete env[ENV_PRICES_FILE];
  const r = spawnSync(process.execPath, [CLI, ...args], {
    input: options.input,
    env,
    encoding: 'utf8',
    timeout: 15_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

let dir: string;
beforeAll(async () => {
  if (!existsSync(BUILT)) throw new Error(`${BUILT} is missing: run \`npm run build -w @agentburn/cli\` first`);
  dir = await mkdtemp(join(tmpdir(), 'agentburn-cli-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('agentburn price', () => {
  it('prints-entry-parts-and-total-for-gpt-4o', () => {
    // genai-prices gpt-4o: $2.50 / M input, $10 / M output.
    // 1000 x 2.5 / 1e6 = 0.0025; 500 x 10 / 1e6 = 0.005; total 0.0075.
    const r = agentburn(['price', 'gpt-4o', '--input', '1000', '--output', '500']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      [
        'gpt-4o: price entry gpt-4o (price data 0.1.8)',
        '          tokens     cost',
        '  input     1000  $0.0025',
        '  output     500  $0.0050',
        '  total           $0.0075',
        '',
      ].join('\n'),
    );
  });

  it('splits-cache-reads-and-writes-out-of-the-input', () => {
    // claude-sonnet-4: $3 / M input, $0.30 / M cache read, $3.75 / M cache write, $15 / M output.
    // uncached 10000 - 8000 - 1000 = 1000 -> 0.003; 8000 -> 0.0024; 1000 -> 0.00375; 500 -> 0.0075; total 0.01665.
    const r = agentburn([
      'price',
      'claude-sonnet-4',
      '--input',
      '10000',
      '--cache-read',
      '8000',
      '--cache-write',
      '1000',
      '--output',
      '500',
      '--json',
    ]);
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(json.costUsd).toEqual({ input: 0.003, cacheRead: 0.0024, cacheWrite: 0.00375, output: 0.0075 });
    expect(json.totalUsd).toBeCloseTo(0.01665, 12);
    expect(json.status).toBe('priced');
  });

  it('exits-2-for-an-unknown-model', () => {
    const r = agentburn(['price', 'no-such-model-xyz', '--input', '10', '--output', '10']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe("agentburn price: unpriced: no price for model 'no-such-model-xyz'\n");
  });

  it('honours-the-prices-file-override', async () => {
    // $1 / M input, $2 / M output: 1000 -> 0.001, 500 -> 0.001, total 0.002.
    const file = join(dir, 'prices.json');
    await writeFile(file, JSON.stringify({ 'my-finetune': { input_mtok: 1, output_mtok: 2 } }));
    const r = agentburn(['price', 'my-finetune', '--input', '1000', '--output', '500', '--json'], {
      env: { [ENV_PRICES_FILE]: file },
    });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ totalUsd: 0.002, costUsd: { input: 0.001, output: 0.001 } });
  });

  it('exits-1-with-the-reason-on-a-broken-prices-file', async () => {
    const file = join(dir, 'broken.json');
    await writeFile(file, '{"my-finetune": {"input_mtok": -1}}');
    const r = agentburn(['price', 'my-finetune', '--input', '1', '--output', '1'], {
      env: { [ENV_PRICES_FILE]: file },
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^agentburn price: .*broken\.json.*my-finetune/);
  });

  it('exits-1-on-a-bad-token-count', () => {
    const r = agentburn(['price', 'gpt-4o', '--input', '1.5', '--output', '1']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('--input must be a non-negative integer');
  });

  it('exits-1-on-an-invalid-at-date', () => {
    const r = agentburn(['price', 'gpt-4o', '--input', '1', '--output', '1', '--at', 'last tuesday']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("--at must be an ISO date, got 'last tuesday'");
  });

  it('input-minus-5-gives-the-clear-error-of-input-equals-minus-5', () => {
    const spaced = agentburn(['price', 'gpt-4o', '--input', '-5', '--output', '1']);
    const joined = agentburn(['price', 'gpt-4o', '--input=-5', '--output', '1']);
    expect(joined.stderr).toBe(
      "agentburn price: --input must be a non-negative integer, got '-5'\nRun 'agentburn price --help' for usage.\n",
    );
    expect(spaced).toEqual(joined);
    expect(spaced.code).toBe(1);
    const output = agentburn(['price', 'gpt-4o', '--input', '1', '--output', '-0.5']);
    expect(output.stderr).toContain("--output must be a non-negative integer, got '-0.5'");
  });

  it('unknown-provider-is-an-error', () => {
    const r = agentburn(['price', 'gpt-4o', '--input', '1', '--output', '1', '--provider', 'no-such-provider']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(
      /^agentburn price: unknown --provider 'no-such-provider': the price data has no such provider/,
    );
    // Semconv names and genai-prices ids are both known.
    for (const provider of ['openai', 'azure.ai.openai', 'google', 'gcp.vertex_ai']) {
      const known = agentburn(['price', 'gpt-4o', '--input', '1', '--output', '1', '--provider', provider, '--json']);
      expect(known.stderr, provider).not.toContain('unknown --provider');
    }
  });

  it('at-before-a-models-first-dated-price-says-so', () => {
    // o3: first recorded price $10 / $40 per M (no start date in the data), $2 / $8 from 2025-06-10.
    const before = agentburn(['price', 'o3', '--input', '1000', '--output', '1000', '--at', '2020-01-01']);
    expect(before.code).toBe(0);
    expect(before.stdout.split('\n').slice(0, 2)).toEqual([
      'o3: price entry o3 (price data 0.1.8)',
      'price period: the first recorded price (until 2025-06-10); the price data gives it no start date, so whether o3 was priced on 2020-01-01 is not known',
    ]);
    expect(before.stdout).toMatch(/\n {2}total +\$0\.05\n/);
    const after = agentburn(['price', 'o3', '--input', '1000', '--output', '1000', '--at', '2025-07-01', '--json']);
    expect(JSON.parse(after.stdout)).toMatchObject({ period: { kind: 'from', from: '2025-06-10' }, totalUsd: 0.01 });
  });

  it('at-on-a-model-with-one-undated-price-says-its-start-is-unknown', () => {
    const r = agentburn(['price', 'gpt-4o', '--input', '1000', '--output', '500', '--at', '2019-01-01']);
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[1]).toBe(
      'price period: the only recorded price; the price data gives it no start date, so whether gpt-4o was priced on 2019-01-01 is not known',
    );
  });

  it('names-the-long-context-tier-that-applied', () => {
    // claude-sonnet-4-5: $3 / $15 per M up to 200,000 input tokens, $6 / $22.50 above.
    // long: 300000 x 6 / 1e6 = 1.8; 1000 x 22.5 / 1e6 = 0.0225; total 1.8225.
    const long = agentburn(['price', 'claude-sonnet-4-5', '--input', '300000', '--output', '1000']);
    expect(long.code).toBe(0);
    expect(long.stdout.split('\n').slice(0, 2)).toEqual([
      'claude-sonnet-4-5: price entry claude-sonnet-4-5 (price data 0.1.8)',
      'tier: long context, input above 200,000 tokens',
    ]);
    expect(long.stdout).toMatch(/\n {2}total +\$1\.8225\n/);
    // base: 200000 x 3 / 1e6 = 0.6 (a tier applies above its start, not at it).
    const base = agentburn(['price', 'claude-sonnet-4-5', '--input', '200000', '--output', '0', '--json']);
    expect(JSON.parse(base.stdout)).toMatchObject({ tier: { level: 0, nextAbove: 200000 }, totalUsd: 0.6 });
    const text = agentburn(['price', 'claude-sonnet-4-5', '--input', '200000', '--output', '0']);
    expect(text.stdout.split('\n')[1]).toBe('tier: base, input up to 200,000 tokens (long-context prices above)');
    // A flat price has no tier line.
    const flat = agentburn(['price', 'gpt-4o', '--input', '300000', '--output', '0', '--json']);
    expect(JSON.parse(flat.stdout).tier).toBeUndefined();
  });

  it('exits-1-when-cache-parts-exceed-the-input', () => {
    const r = agentburn(['price', 'gpt-4o', '--input', '10', '--cache-read', '11', '--output', '1']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('parts of --input');
  });
});

describe('agentburn report', () => {
  const line = otlpLine([
    {
      traceId: hexId(7, 32),
      spanId: hexId(1, 16),
      name: 'chat gpt-4o',
      attributes: {
        [ATTR_GEN_AI_REQUEST_MODEL]: 'gpt-4o',
        [ATTR_COST_USD]: 0.0075,
        [ATTR_COST_STATUS]: COST_STATUS_PRICED,
        [ATTR_AGENT_NAME]: 'code-gen-agent',
      },
    },
  ]);

  it('reads-stdin-with-dash', () => {
    const r = agentburn(['report', '-', '--json'], { input: `${line}\n{broken\n` });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^line 2: not valid OTLP JSON \(/);
    const json = JSON.parse(r.stdout);
    expect(json.source).toBe('stdin');
    expect(json.totals).toMatchObject({ costUsd: 0.0075, llmUsd: 0.0075, lines: 2, skippedLines: 1 });
    expect(json.agents).toEqual([
      {
        agent: 'code-gen-agent',
        costUsd: 0.0075,
        llmUsd: 0.0075,
        computeUsd: 0,
        llmCalls: 1,
        sandboxRuns: 0,
        unpricedSpans: 0,
      },
    ]);
  });

  it('prints-a-text-report-of-a-file', async () => {
    const file = join(dir, 'one.jsonl');
    await writeFile(file, `${line}\n`);
    const r = agentburn(['report', file]);
    expect(r.code).toBe(0);
    // Not a terminal: no progress line.
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain(`agentburn report: ${file}\n  1 trace, 1 span in 1 line\n`);
    expect(r.stdout).toMatch(/\n {2}total {4}\$0\.0075\n/);
    expect(r.stdout).toMatch(/\n {2}gpt-4o +1 +0 +0 +\$0\.0075 +0\n/);
  });

  it('exits-1-without-a-file-when-there-is-no-local-trace-file', () => {
    const r = agentburn(['report'], {
      env: { AGENTBURN_TRACES_FILE: join(tmpdir(), 'agentburn-none', 'traces.jsonl') },
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('agentburn report: no trace file at ');
    expect(r.stderr).toContain('@agentburn/node writes it when no OTLP endpoint is configured');
  });
});

describe('agentburn', () => {
  it('version-prints-the-package-and-price-data-versions', () => {
    const r = agentburn(['--version']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`agentburn ${CLI_PACKAGE.version} (price data: @pydantic/genai-prices 0.1.8)\n`);
    expect(agentburn(['-v']).stdout).toBe(r.stdout);
  });

  it('npx-agentburn-works-in-a-clone-after-npm-ci', () => {
    // npm links a bin when it installs; its target must exist then, before any build.
    expect(CLI_PACKAGE.bin.agentburn).toBe('bin/agentburn.js');
    const r = spawnSync('npx', ['--no', '--', 'agentburn', '--version'], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(`agentburn ${CLI_PACKAGE.version} (price data: @pydantic/genai-prices 0.1.8)\n`);
    expect(r.status).toBe(0);
  });

  it('bin-says-to-build-when-dist-is-missing', async () => {
    const copy = join(dir, 'unbuilt-cli');
    await mkdir(join(copy, 'bin'), { recursive: true });
    await writeFile(join(copy, 'package.json'), '{ "type": "module" }');
    await copyFile(CLI, join(copy, 'bin/agentburn.js'));
    const r = spawnSync(process.execPath, [join(copy, 'bin/agentburn.js'), '--version'], {
      encoding: 'utf8',
      timeout: 15_000,
    });
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      'agentburn: this copy of @agentburn/cli is not built (dist/cli.js is missing).\nIn a clone of the repository, run `npm run build` first.\n',
    );
  });

  it('exits-1-on-an-unknown-command-with-usage', () => {
    const r = agentburn(['bill']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("agentburn: unknown command 'bill'");
    expect(r.stderr).toContain('Usage: agentburn <command>');
  });
});
