/**
 * `agentburn report --html` opened in a real headless Chromium (the Debian
 * `chromium` package, installed by scripts/install-ci-deps.sh): the numbers
 * it shows against a fixture with known totals, a click on a trace and its
 * waterfall, and a screenshot in test-results/.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  ATTR_AGENT_NAME,
  ATTR_COST_COMPUTE_USD,
  ATTR_COST_REASON,
  ATTR_COST_STATUS,
  ATTR_COST_USD,
  ATTR_E2B_SANDBOX_ACTIVE_SECONDS,
  ATTR_E2B_SANDBOX_BILLED_SECONDS,
  ATTR_GEN_AI_AGENT_NAME,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  COST_STATUS_PRICED,
  COST_STATUS_UNPRICED,
  SPAN_E2B_RUN_CODE,
  SPAN_E2B_SANDBOX,
} from '@agentburn/core';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliIo } from '../packages/cli/src/io';
import { main } from '../packages/cli/src/main';
import { hexId, otlpLine } from './fixtures/otlp/otlp-lines';
import { rightSizingFixture } from './fixtures/otlp/right-sizing';

const CHROMIUM = '/usr/bin/chromium';
const root = fileURLToPath(new URL('..', import.meta.url));
const T1 = hexId(1, 32);
const T2 = hexId(2, 32);

const priced = (model: string, cost: number, agent: string) => ({
  [ATTR_GEN_AI_REQUEST_MODEL]: model,
  [ATTR_COST_USD]: cost,
  [ATTR_COST_STATUS]: COST_STATUS_PRICED,
  [ATTR_AGENT_NAME]: agent,
});

/**
 * T1 coder: gpt-4o $0.0075 + $0.00375, a sandbox interval of $0.0001815 (6 s billed, 2 active), two runs.
 * T2 reviewer: claude-sonnet-4 $0.0105 and one my-finetune call unpriced (model_unknown).
 * Totals: LLM $0.02175, compute $0.0001815, total $0.0219315.
 */
const fixture = [
  otlpLine([
    {
      traceId: T1,
      spanId: hexId(11, 16),
      name: 'invoke_agent coder',
      attributes: { [ATTR_GEN_AI_AGENT_NAME]: 'coder' },
    },
    {
      traceId: T1,
      spanId: hexId(12, 16),
      parentSpanId: hexId(11, 16),
      name: 'chat gpt-4o',
      attributes: { ...priced('gpt-4o', 0.0075, 'coder'), [ATTR_GEN_AI_PROVIDER_NAME]: 'openai' },
    },
    {
      traceId: T1,
      spanId: hexId(13, 16),
      parentSpanId: hexId(11, 16),
      name: SPAN_E2B_SANDBOX,
      attributes: {
        [ATTR_COST_USD]: 0.0001815,
        [ATTR_COST_COMPUTE_USD]: 0.0001815,
        [ATTR_COST_STATUS]: COST_STATUS_PRICED,
        [ATTR_E2B_SANDBOX_BILLED_SECONDS]: { int: 6 },
        [ATTR_E2B_SANDBOX_ACTIVE_SECONDS]: 2,
        [ATTR_AGENT_NAME]: 'coder',
      },
    },
    { traceId: T1, spanId: hexId(14, 16), parentSpanId: hexId(13, 16), name: SPAN_E2B_RUN_CODE },
    {
      traceId: T1,
      spanId: hexId(15, 16),
      parentSpanId: hexId(11, 16),
      name: 'chat gpt-4o',
      attributes: priced('gpt-4o', 0.00375, 'coder'),
    },
    { traceId: T1, spanId: hexId(16, 16), parentSpanId: hexId(13, 16), name: SPAN_E2B_RUN_CODE },
  ]),
  otlpLine([
    {
      traceId: T2,
      spanId: hexId(21, 16),
      name: 'chat claude-sonnet-4',
      attributes: priced('claude-sonnet-4', 0.0105, 'reviewer'),
    },
    {
      traceId: T2,
      spanId: hexId(22, 16),
      parentSpanId: hexId(21, 16),
      name: 'chat my-finetune',
      attributes: {
        [ATTR_GEN_AI_REQUEST_MODEL]: 'my-finetune',
        [ATTR_COST_STATUS]: COST_STATUS_UNPRICED,
        [ATTR_COST_REASON]: 'model_unknown',
        [ATTR_AGENT_NAME]: 'reviewer',
      },
    },
  ]),
].join('\n');

function captureIo() {
  const out = { stdout: '', stderr: '' };
  const io: CliIo = {
    stdin: Readable.from([]),
    stdout: { write: (c: string) => (out.stdout += c) },
    stderr: { write: (c: string) => (out.stderr += c) },
  };
  return { io, out };
}

/** Headless Chromium with a throwaway profile in `dir`, nothing fetched in the background. */
function launch(dir: string): Promise<BrowserContext> {
  return chromium.launchPersistentContext(join(dir, 'profile'), {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1400, height: 900 },
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

describe.skipIf(!existsSync(CHROMIUM))('agentburn report --html in Chromium', () => {
  let dir: string;
  let html: string;
  let context: BrowserContext;
  let page: Page;
  const requests: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'agentburn-html-'));
    const file = join(dir, 'traces.jsonl');
    writeFileSync(file, `${fixture}\n`);
    html = join(dir, 'report.html');
    const { io, out } = captureIo();
    expect(await main(['report', file, '--html', html], io)).toBe(0);
    expect(out.stdout).toMatch(/^wrote .*report\.html \(\d+ KiB\): \$0\.0219315 in 2 traces\n$/);

    context = await launch(dir);
    page = await context.newPage();
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(pathToFileURL(html).href);
  }, 60_000);

  afterAll(async () => {
    await context?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const textOf = (selector: string) => page.locator(selector).first().innerText();

  it('opens-without-any-network-request', () => {
    expect(requests).toEqual([pathToFileURL(html).href]);
    expect(readFileSync(html, 'utf8')).not.toMatch(/(src|href)=["']?https?:/);
  });

  it('shows-the-fixture-totals', async () => {
    expect(await textOf('[data-testid=total]')).toBe('$0.0219315');
    expect(await textOf('[data-testid=llm-total]')).toBe('$0.02175');
    expect(await textOf('[data-testid=compute-total]')).toBe('$0.0001815');
    expect(await textOf('[data-testid=idle-share]')).toBe('67%');
    expect(await textOf('[data-testid=iterations]')).toBe('2.0');
    expect(await textOf('[data-testid=unpriced-calls]')).toBe('1');
    expect(await textOf('tr[data-model="gpt-4o"] td.cost')).toBe('$0.01125');
    expect(await textOf('tr[data-model="my-finetune"] td.cost')).toBe('unknown');
    expect(await textOf('tr[data-agent="coder"] td.cost')).toBe('$0.0114315');
    expect(await page.locator('tr[data-unpriced="my-finetune"] td').allInnerTexts()).toEqual([
      'my-finetune',
      'unpriced',
      'model_unknown',
      '1',
    ]);
  });

  it('right-sizing-says-nothing-was-sampled-and-how-to-sample', async () => {
    expect(await page.locator('#right-sizing p').allInnerTexts()).toEqual([
      'No sandbox interval was sampled (1 interval, 6 s billed), so their use is unknown.',
      "Sampling is off by default: set AGENTBURN_SANDBOX_SAMPLE_SECONDS=5 where the sandboxes run (or the E2B instrumentation's sampleUsageEverySeconds).",
    ]);
    expect(await page.locator('#right-sizing table').count()).toBe(0);
  });

  it('lists-traces-most-expensive-first-and-draws-the-first', async () => {
    const ids = await page
      .locator('table.traces tbody tr')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-trace-id')));
    expect(ids).toEqual([T1, T2]);
    expect(await textOf(`tr[data-trace-id="${T1}"] td.cost`)).toBe('$0.0114315');
    const first = page.locator(`[data-waterfall="${T1}"]`);
    expect(await first.isVisible()).toBe(true);
    expect(await first.locator('[data-testid=waterfall-total]').innerText()).toBe('$0.0114315');
    // Tree order: the agent, its first call, the sandbox with its two runs, the second call.
    const rows = await first.locator('[data-span-id]').evaluateAll((gs) => gs.map((g) => g.getAttribute('data-kind')));
    expect(rows).toEqual(['agent', 'llm', 'compute', 'operation', 'operation', 'llm']);
  });

  it('clicking-a-trace-shows-its-waterfall', async () => {
    await page.click(`tr[data-trace-id="${T2}"]`);
    const second = page.locator(`[data-waterfall="${T2}"]`);
    expect(await second.isVisible()).toBe(true);
    expect(await page.locator(`[data-waterfall="${T1}"]`).isVisible()).toBe(false);
    expect(await page.locator(`tr[data-trace-id="${T2}"]`).getAttribute('class')).toBe('selected');
    expect(await second.locator('[data-testid=waterfall-total]').innerText()).toBe('$0.0105');
    const spans = await second
      .locator('[data-span-id]')
      .evaluateAll((gs) =>
        gs.map((g) => [g.getAttribute('data-kind'), g.getAttribute('data-cost'), g.textContent?.trim()]),
      );
    expect(spans.map(([kind, cost]) => [kind, cost])).toEqual([
      ['llm', '0.0105'],
      ['llm', null],
    ]);
    expect(spans[1]![2]).toContain('unpriced: model_unknown');

    mkdirSync(join(root, 'test-results'), { recursive: true });
    const shot = join(root, 'test-results', 'report-html.png');
    await page.screenshot({ path: shot, fullPage: true });
    expect(readFileSync(shot).subarray(1, 4).toString()).toBe('PNG');
  });
});

describe.skipIf(!existsSync(CHROMIUM))('the right-sizing section in Chromium', () => {
  let dir: string;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'agentburn-html-rs-'));
    const file = join(dir, 'traces.jsonl');
    writeFileSync(file, `${rightSizingFixture}\n`);
    const html = join(dir, 'report.html');
    const { io } = captureIo();
    expect(await main(['report', file, '--html', html], io)).toBe(0);
    context = await launch(dir);
    page = await context.newPage();
    await page.goto(pathToFileURL(html).href);
  }, 60_000);

  afterAll(async () => {
    await context?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const cells = (label: string) => page.locator(`#right-sizing tr[data-rightsizing="${label}"] td`).allInnerTexts();

  it('shows-allocated-against-used-and-the-saving-per-group', async () => {
    expect(await page.locator('[data-testid=rs-saved]').innerText()).toBe('$0.1499');
    const rows = await page
      .locator('#right-sizing tbody tr')
      .evaluateAll((trs) => trs.map((r) => [r.getAttribute('data-rightsizing'), r.getAttribute('data-verdict')]));
    expect(rows).toEqual([
      ['daytona', 'smaller-size'],
      ['e2b code-interpreter-v1', 'smaller-size'],
      ['vercel', 'right-sized'],
      ['e2b base', 'not-sampled'],
    ]);
    expect(await cells('e2b code-interpreter-v1')).toEqual([
      'e2b code-interpreter-v1',
      '2 vCPU / 2 GiB',
      'CPU peak 0.4, mean 0.16 vCPU\nmemory peak 610 MiB',
      '92%',
      '2 intervals, 1000 s',
      '$0.037',
      '1 vCPU / 1 GiB\nwould have cost $0.0185',
      '$0.0185 -50%',
    ]);
    expect(await cells('daytona')).toEqual([
      'daytona',
      '4 vCPU / 8 GiB',
      'CPU peak 2.6, mean 1.4 vCPU\nmemory peak 3000 MiB',
      '65%',
      '1 interval, 3600 s',
      '$0.33228',
      '3 vCPU / 3 GiB\nwould have cost $0.20088',
      '$0.1314 -40%',
    ]);
    expect((await cells('vercel')).slice(5)).toEqual(['$0.00224504', 'already the cheapest that holds it', '–']);
  });

  it('draws-the-peak-inside-the-allocation', async () => {
    // 0.4 of 2 vCPU, mean 0.16 of 2; 610 of 2048 MiB: widths relative to the 120 px track.
    const widths = await page
      .locator('#right-sizing tr[data-rightsizing="e2b code-interpreter-v1"] .meter span')
      .evaluateAll((spans) => spans.map((s) => Math.round(s.getBoundingClientRect().width)));
    expect(widths).toEqual([24, 10, 36]);
  });

  it('says-what-was-not-sampled-and-how-to-sample', async () => {
    expect(await cells('e2b base')).toEqual([
      'e2b base',
      '2 vCPU / 512 MiB',
      'not sampled: use unknown (1 interval, 120 s billed)',
    ]);
    const notes = await page.locator('#right-sizing p.hint').allInnerTexts();
    expect(notes).toEqual([
      "1 interval (120 s billed) not sampled: their use is unknown, so they are left out. Sampling is off by default: set AGENTBURN_SANDBOX_SAMPLE_SECONDS=5 where the sandboxes run (or the E2B instrumentation's sampleUsageEverySeconds).",
      '4 intervals left out: size, billed seconds or sample attributes are not usable numbers.',
    ]);
    expect(await page.locator('body').innerText()).not.toMatch(/NaN|undefined/);

    mkdirSync(join(root, 'test-results'), { recursive: true });
    const shot = join(root, 'test-results', 'report-html-right-sizing.png');
    await page.locator('#right-sizing').screenshot({ path: shot });
    await page.screenshot({ path: join(root, 'test-results', 'report-html-right-sizing-page.png'), fullPage: true });
    expect(readFileSync(shot).subarray(1, 4).toString()).toBe('PNG');
  });
});
