/**
 * The built `agentburn` bin, run as users run it: a child process of `node`
 * (the root `npm test` builds first).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
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

const CLI = fileURLToPath(new URL('../packages/cli/dist/cli.js', import.meta.url));

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
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build -w @agentburn/cli\` first`);
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
  it('exits-1-on-an-unknown-command-with-usage', () => {
    const r = agentburn(['bill']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("agentburn: unknown command 'bill'");
    expect(r.stderr).toContain('Usage: agentburn <command>');
  });
});
