import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import {
  ATTR_AGENT_NAME,
  ATTR_COST_COMPUTE_USD,
  ATTR_COST_INPUT_USD,
  ATTR_COST_OUTPUT_USD,
  ATTR_COST_STATUS,
  ATTR_COST_USD,
  ATTR_E2B_SANDBOX_ACTIVE_SECONDS,
  ATTR_E2B_SANDBOX_BILLED_SECONDS,
  ATTR_GEN_AI_AGENT_NAME,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
  ATTR_PRICING_MODEL,
  ATTR_TRACE_COMPUTE_COST_USD,
  ATTR_TRACE_COST_USD,
  ATTR_TRACE_LLM_COST_USD,
  COST_STATUS_PRICED,
  COST_STATUS_UNPRICED,
  SPAN_E2B_RUN_CODE,
  SPAN_E2B_SANDBOX,
} from '@agentburn/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliIo } from '../packages/cli/src/io';
import { main } from '../packages/cli/src/main';
import { SpendAggregator, type SpendReport } from '../packages/cli/src/report/aggregate';
import { formatUsd } from '../packages/cli/src/report/format';
import { createProgress } from '../packages/cli/src/report/progress';
import { decodeAnyValue, parseOtlpLine, readOtlpLines } from '../packages/cli/src/report/read-otlp-lines';
import { hexId, otlpLine, type SpanSpec } from './fixtures/otlp/otlp-lines';

const T1 = hexId(1, 32);
const T2 = hexId(2, 32);
const T3 = hexId(3, 32);

const llm = (model: string, input: number, output: number, inUsd: number, outUsd: number) => ({
  [ATTR_GEN_AI_REQUEST_MODEL]: model,
  [ATTR_PRICING_MODEL]: model,
  [ATTR_GEN_AI_USAGE_INPUT_TOKENS]: { int: input },
  [ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: { int: output },
  [ATTR_COST_INPUT_USD]: inUsd,
  [ATTR_COST_OUTPUT_USD]: outUsd,
  [ATTR_COST_USD]: inUsd + outUsd,
  [ATTR_COST_STATUS]: COST_STATUS_PRICED,
});

/**
 * Three traces, one line per trace as a BatchSpanProcessor export would write them:
 * - T1 code-gen-agent: gpt-4o 1000/500 = 0.0025 + 0.005 = 0.0075; gpt-4o 500/250 = 0.00125 + 0.0025 = 0.00375;
 *   sandbox 6 s billed at 2 vCPU / 512 MiB = 6 x (2 x 0.000014 + 0.5 x 0.0000045) = 0.0001815, 2 s active;
 *   two run_code spans; the root carries the rollup (which must not be added again).
 * - T2 reviewer: claude-sonnet-4 1000/500 = 0.003 + 0.0075 = 0.0105; one unpriced call of my-finetune.
 * - T3 no agent: gpt-4o 1000/500 = 0.0075.
 */
const traceLines: SpanSpec[][] = [
  [
    {
      traceId: T1,
      spanId: hexId(11, 16),
      name: 'invoke_agent code-gen-agent',
      attributes: {
        [ATTR_GEN_AI_AGENT_NAME]: 'code-gen-agent',
        [ATTR_TRACE_COST_USD]: 0.0114315,
        [ATTR_TRACE_LLM_COST_USD]: 0.01125,
        [ATTR_TRACE_COMPUTE_COST_USD]: 0.0001815,
      },
    },
    {
      traceId: T1,
      spanId: hexId(12, 16),
      parentSpanId: hexId(11, 16),
      name: 'chat gpt-4o',
      attributes: {
        ...llm('gpt-4o', 1000, 500, 0.0025, 0.005),
        [ATTR_GEN_AI_PROVIDER_NAME]: 'openai',
        [ATTR_AGENT_NAME]: 'code-gen-agent',
      },
    },
    {
      traceId: T1,
      spanId: hexId(13, 16),
      parentSpanId: hexId(11, 16),
      name: 'chat gpt-4o',
      attributes: { ...llm('gpt-4o', 500, 250, 0.00125, 0.0025), [ATTR_AGENT_NAME]: 'code-gen-agent' },
    },
    {
      traceId: T1,
      spanId: hexId(14, 16),
      parentSpanId: hexId(11, 16),
      name: SPAN_E2B_SANDBOX,
      attributes: {
        [ATTR_COST_USD]: 0.0001815,
        [ATTR_COST_COMPUTE_USD]: 0.0001815,
        [ATTR_COST_STATUS]: COST_STATUS_PRICED,
        [ATTR_E2B_SANDBOX_BILLED_SECONDS]: { int: 6 },
        [ATTR_E2B_SANDBOX_ACTIVE_SECONDS]: 2,
        [ATTR_AGENT_NAME]: 'code-gen-agent',
      },
    },
    { traceId: T1, spanId: hexId(15, 16), parentSpanId: hexId(11, 16), name: SPAN_E2B_RUN_CODE },
    { traceId: T1, spanId: hexId(16, 16), parentSpanId: hexId(11, 16), name: SPAN_E2B_RUN_CODE },
  ],
  [
    {
      traceId: T2,
      spanId: hexId(21, 16),
      name: 'chat claude-sonnet-4',
      attributes: {
        ...llm('claude-sonnet-4', 1000, 500, 0.003, 0.0075),
        [ATTR_GEN_AI_PROVIDER_NAME]: 'anthropic',
        [ATTR_AGENT_NAME]: 'reviewer',
      },
    },
    {
      traceId: T2,
      spanId: hexId(22, 16),
      parentSpanId: hexId(21, 16),
      name: 'chat my-finetune',
      attributes: {
        [ATTR_GEN_AI_REQUEST_MODEL]: 'my-finetune',
        [ATTR_GEN_AI_USAGE_INPUT_TOKENS]: { int: 100 },
        [ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: { int: 10 },
        [ATTR_COST_STATUS]: COST_STATUS_UNPRICED,
        [ATTR_AGENT_NAME]: 'reviewer',
      },
    },
  ],
  [{ traceId: T3, spanId: hexId(31, 16), name: 'chat gpt-4o', attributes: llm('gpt-4o', 1000, 500, 0.0025, 0.005) }],
];

const JSON_ERROR = (() => {
  try {
    JSON.parse('not json');
  } catch (err) {
    return (err as Error).message;
  }
})();

const fixtureText = `${traceLines.map((spans) => otlpLine(spans)).join('\n')}\n`;

function aggregate(text: string): SpendReport {
  const agg = new SpendAggregator();
  for (const line of text.split('\n').slice(0, -1)) agg.addLine(parseOtlpLine(line));
  return agg.result();
}

function captureIo(stdinText = '', isTTY = false) {
  const out = { stdout: '', stderr: '' };
  const io: CliIo = {
    stdin: Readable.from([stdinText]),
    stdout: { write: (c: string) => (out.stdout += c) },
    stderr: { isTTY, write: (c: string) => (out.stderr += c) },
  };
  return { io, out };
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'agentburn-report-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('aggregate', () => {
  it('sums-cost_usd-exactly-per-trace-agent-and-model', () => {
    const r = aggregate(fixtureText);
    // LLM 0.0075 + 0.00375 + 0.0105 + 0.0075 = 0.02925; compute 0.0001815; total 0.0294315.
    expect(r.totals).toEqual({
      costUsd: 0.0294315,
      llmUsd: 0.02925,
      computeUsd: 0.0001815,
      llmCalls: 5,
      sandboxRuns: 2,
      unpricedSpans: 1,
      traces: 3,
      spans: 9,
      lines: 3,
      skippedLines: 0,
      skippedSpans: 0,
      duplicateSpans: 0,
    });
    expect(r.traces).toEqual([
      {
        traceId: T1,
        rootSpan: 'invoke_agent code-gen-agent',
        agents: ['code-gen-agent'],
        costUsd: 0.0114315,
        llmUsd: 0.01125,
        computeUsd: 0.0001815,
        llmCalls: 2,
        sandboxRuns: 2,
        unpricedSpans: 0,
      },
      {
        traceId: T2,
        rootSpan: 'chat claude-sonnet-4',
        agents: ['reviewer'],
        costUsd: 0.0105,
        llmUsd: 0.0105,
        computeUsd: 0,
        llmCalls: 2,
        sandboxRuns: 0,
        unpricedSpans: 1,
      },
      {
        traceId: T3,
        rootSpan: 'chat gpt-4o',
        agents: [],
        costUsd: 0.0075,
        llmUsd: 0.0075,
        computeUsd: 0,
        llmCalls: 1,
        sandboxRuns: 0,
        unpricedSpans: 0,
      },
    ]);
    expect(r.agents.map((a) => [a.agent, a.costUsd, a.llmUsd, a.computeUsd, a.llmCalls, a.unpricedSpans])).toEqual([
      ['code-gen-agent', 0.0114315, 0.01125, 0.0001815, 2, 0],
      ['reviewer', 0.0105, 0.0105, 0, 2, 1],
      ['(no agent)', 0.0075, 0.0075, 0, 1, 0],
    ]);
    expect(r.models).toEqual([
      // 0.0075 + 0.00375 + 0.0075
      {
        model: 'gpt-4o',
        provider: 'openai',
        costUsd: 0.01875,
        calls: 3,
        unpricedCalls: 0,
        inputTokens: 2500,
        outputTokens: 1250,
      },
      {
        model: 'claude-sonnet-4',
        provider: 'anthropic',
        costUsd: 0.0105,
        calls: 1,
        unpricedCalls: 0,
        inputTokens: 1000,
        outputTokens: 500,
      },
      { model: 'my-finetune', costUsd: 0, calls: 1, unpricedCalls: 1, inputTokens: 100, outputTokens: 10 },
    ]);
    // 1 - 2 / 6 billed seconds idle.
    expect(r.compute).toEqual({
      intervals: 1,
      costUsd: 0.0001815,
      billedSeconds: 6,
      activeSeconds: 2,
      idleShare: 0.6666666667,
    });
  });

  it('never-adds-trace-rollups-to-the-total', () => {
    // A root with only rollup attributes: its agentburn.trace.cost_usd is already the children's spend.
    const r = aggregate(
      `${otlpLine([{ traceId: T1, spanId: hexId(1, 16), name: 'root', attributes: { [ATTR_TRACE_COST_USD]: 5 } }])}\n`,
    );
    expect(r.totals.costUsd).toBe(0);
    expect(r.totals.llmCalls).toBe(0);
    expect(r.traces[0]).toMatchObject({ traceId: T1, rootSpan: 'root', costUsd: 0 });
  });

  it('sums-a-million-costs-without-float-drift', () => {
    // Plain addition of 1e6 x 0.0075 drifts to 7499.99999991; the compensated sum stays 7500.
    const agg = new SpendAggregator();
    const span = {
      traceId: T1,
      spanId: hexId(1, 16),
      parentSpanId: hexId(2, 16),
      name: 'chat gpt-4o',
      attributes: { [ATTR_COST_USD]: 0.0075, [ATTR_GEN_AI_REQUEST_MODEL]: 'gpt-4o' },
    };
    for (let i = 0; i < 1_000_000; i++) agg.addSpan({ ...span, spanId: hexId(i + 3, 16) });
    const r = agg.result();
    expect(r.totals.costUsd).toBe(7500);
    expect(r.models[0]!.costUsd).toBe(7500);
    expect(r.traces[0]!.llmUsd).toBe(7500);
  });

  it('prices-spans-split-across-lines-into-one-trace', () => {
    // Exporters flush in batches: one trace's spans may land on several lines.
    const r = aggregate(`${traceLines[0]!.map((s) => otlpLine([s])).join('\n')}\n`);
    expect(r.totals.traces).toBe(1);
    expect(r.traces[0]!.costUsd).toBe(0.0114315);
  });
});

describe('parseOtlpLine', () => {
  it('decodes-int64-strings-doubles-bools-and-arrays', () => {
    expect(decodeAnyValue({ intValue: '9007199254740' })).toBe(9007199254740);
    expect(decodeAnyValue({ intValue: 42 })).toBe(42);
    expect(decodeAnyValue({ doubleValue: 0.25 })).toBe(0.25);
    expect(decodeAnyValue({ doubleValue: 'NaN' })).toBeUndefined();
    expect(decodeAnyValue({ boolValue: false })).toBe(false);
    expect(decodeAnyValue({ stringValue: '' })).toBe('');
    expect(decodeAnyValue({ arrayValue: { values: [{ stringValue: 'stop' }] } })).toEqual(['stop']);
    expect(decodeAnyValue(null)).toBeUndefined();
  });

  it('ignores-blank-lines-and-other-signals', () => {
    expect(parseOtlpLine('   ')).toEqual({ kind: 'ignored', reason: 'blank' });
    expect(parseOtlpLine('{"resourceMetrics":[]}')).toEqual({ kind: 'ignored', reason: 'other-signal' });
  });

  it('rejects-truncated-json-and-wrong-shapes-with-a-reason', () => {
    expect(parseOtlpLine('{"resourceSpans":[')).toMatchObject({ kind: 'malformed' });
    expect(parseOtlpLine('[1,2]')).toEqual({ kind: 'malformed', reason: 'not a JSON object' });
    expect(parseOtlpLine('{"hello":1}')).toEqual({ kind: 'malformed', reason: 'no resourceSpans' });
    expect(parseOtlpLine('{"resourceSpans":{}}')).toEqual({
      kind: 'malformed',
      reason: 'resourceSpans is not an array',
    });
    expect(parseOtlpLine('{"resourceSpans":[{"scopeSpans":[{"spans":[{"name":"x"}]}]}]}')).toEqual({
      kind: 'malformed',
      reason: 'span without traceId',
    });
  });
});

describe('readOtlpLines', () => {
  it('numbers-lines-from-one-including-blank-ones', async () => {
    const lines = [];
    for await (const l of readOtlpLines(Readable.from(['{"resourceSpans":[]}\n\nnot json\r\n']))) lines.push(l);
    expect(lines.map((l) => [l.lineNumber, l.parsed.kind])).toEqual([
      [1, 'traces'],
      [2, 'ignored'],
      [3, 'malformed'],
    ]);
  });
});

describe('progress', () => {
  it('redraws-only-when-the-whole-percent-changes', () => {
    const writes: string[] = [];
    const p = createProgress({ isTTY: true, write: (c: string) => writes.push(c) }, 200, 'reading f');
    p.update(0);
    p.update(1); // still 0%
    p.update(100);
    p.update(101); // still 50%
    p.update(200);
    p.done();
    expect(writes).toEqual([
      '\r\x1b[Kreading f: 0% (0.0 MiB of 0.0 MiB)',
      '\r\x1b[Kreading f: 50% (0.0 MiB of 0.0 MiB)',
      '\r\x1b[Kreading f: 100% (0.0 MiB of 0.0 MiB)',
      '\r\x1b[K',
    ]);
  });

  it('writes-nothing-when-stderr-is-not-a-terminal', () => {
    const writes: string[] = [];
    const p = createProgress({ isTTY: false, write: (c: string) => writes.push(c) }, 200, 'reading f');
    p.update(100);
    p.done();
    expect(writes).toEqual([]);
  });
});

describe('formatUsd', () => {
  it('keeps-sub-cent-digits-and-at-least-two-decimals', () => {
    expect(formatUsd(0.0075)).toBe('$0.0075');
    expect(formatUsd(12.5)).toBe('$12.50');
    expect(formatUsd(0)).toBe('$0.00');
    expect(formatUsd(0.00000015)).toBe('$0.00000015');
    expect(formatUsd(0.1 + 0.2)).toBe('$0.30');
  });
});

describe('agentburn report', () => {
  it('reports-a-malformed-line-with-its-number-and-counts-it', async () => {
    const file = join(dir, 'malformed.jsonl');
    const lines = fixtureText.split('\n');
    // Line 2 is cut short, as a crashed writer leaves it.
    lines.splice(1, 0, '{"resourceSpans":[{"scopeSpans":');
    await writeFile(file, lines.join('\n'));
    const { io, out } = captureIo();
    expect(await main(['report', file, '--json'], io)).toBe(0);
    expect(out.stderr).toMatch(/^line 2: not valid OTLP JSON \(.+\); skipped\n$/);
    const json = JSON.parse(out.stdout);
    expect(json.totals).toMatchObject({ lines: 4, skippedLines: 1, costUsd: 0.0294315, traces: 3 });
  });

  it('prints-the-skipped-count-in-the-text-summary', async () => {
    const { io, out } = captureIo(`oops\n${fixtureText}`);
    expect(await main(['report', '-'], io)).toBe(0);
    expect(out.stderr).toMatch(/^line 1: not valid OTLP JSON/);
    expect(out.stdout).toContain('3 traces, 9 spans in 4 lines, 1 malformed line skipped');
    expect(out.stdout).toMatch(/ {2}total {4}\$0\.0294315/);
    expect(out.stdout).toMatch(/compute +\$0\.0001815 +1 sandbox interval, 6 s billed, 67% idle/);
    expect(out.stdout).toContain('1 unpriced span: cost unknown, not in the total');
    // A model with no priced call shows an unknown cost, not $0.
    expect(out.stdout).toMatch(/\n {2}my-finetune +1 +100 +10 +unknown +1\n/);
  });

  it('json-has-totals-compute-and-groups', async () => {
    const file = join(dir, 'shape.jsonl');
    await writeFile(file, fixtureText);
    const { io, out } = captureIo();
    expect(await main(['report', file, '--json', '--top', '2'], io)).toBe(0);
    const json = JSON.parse(out.stdout);
    expect(Object.keys(json)).toEqual([
      'source',
      'totals',
      'compute',
      'traces',
      'agents',
      'models',
      'days',
      'rightSizing',
    ]);
    expect(json.source).toBe(file);
    // --top limits each group; totals still cover everything.
    expect(json.traces.map((t: { traceId: string }) => t.traceId)).toEqual([T1, T2]);
    expect(json.agents).toHaveLength(2);
    expect(json.models).toHaveLength(2);
    expect(json.totals.traces).toBe(3);
    expect(out.stderr).toBe('');
  });

  it('shows-progress-on-a-terminal-and-clears-it', async () => {
    const file = join(dir, 'progress.jsonl');
    await writeFile(file, fixtureText);
    const { io, out } = captureIo('', true);
    expect(await main(['report', file, '--json'], io)).toBe(0);
    expect(out.stderr).toContain(`reading ${file}: 100%`);
    expect(out.stderr.endsWith('\r\x1b[K')).toBe(true);
  });

  it('caps-malformed-line-messages-but-counts-them-all', async () => {
    const { io, out } = captureIo(`${'x\n'.repeat(25)}${fixtureText}`);
    expect(await main(['report', '-', '--json'], io)).toBe(0);
    const messages = out.stderr.split('\n').filter((l) => l.startsWith('line '));
    expect(messages).toHaveLength(20);
    expect(messages[19]).toMatch(/^line 20: /);
    expect(JSON.parse(out.stdout).totals.skippedLines).toBe(25);
  });

  it('fails-with-exit-1-on-a-missing-file', async () => {
    const { io, out } = captureIo();
    expect(await main(['report', join(dir, 'nope.jsonl')], io)).toBe(1);
    expect(out.stderr).toMatch(/^agentburn report: cannot read .*nope\.jsonl: ENOENT/);
  });

  it('streams-a-50k-line-file', async () => {
    // 50,000 lines of one LLM span each, across 1,000 traces: 50,000 x $0.000001 = $0.05.
    const file = join(dir, 'large.jsonl');
    const ws = createWriteStream(file);
    for (let i = 0; i < 50_000; i++) {
      const line = otlpLine([
        {
          traceId: hexId(1 + (i % 1000), 32),
          spanId: hexId(i + 1, 16),
          parentSpanId: hexId(999_999, 16),
          name: 'chat gpt-4o-mini',
          attributes: { [ATTR_GEN_AI_REQUEST_MODEL]: 'gpt-4o-mini', [ATTR_COST_USD]: 0.000001 },
        },
      ]);
      if (!ws.write(`${line}\n`)) await once(ws, 'drain');
    }
    ws.end();
    await once(ws, 'finish');
    const { io, out } = captureIo();
    expect(await main(['report', file, '--json', '--top', '1'], io)).toBe(0);
    const json = JSON.parse(out.stdout);
    expect(json.totals).toMatchObject({ lines: 50_000, spans: 50_000, traces: 1000, llmCalls: 50_000, costUsd: 0.05 });
    expect(json.models).toEqual([
      { model: 'gpt-4o-mini', costUsd: 0.05, calls: 50_000, unpricedCalls: 0, inputTokens: 0, outputTokens: 0 },
    ]);
  });

  it('skips-a-line-nesting-5000-deep-with-its-number', async () => {
    // 5,000 arrays in arrays: a recursive decode would run out of stack and abort the whole report.
    const n = 5000;
    const deep = `${'{"arrayValue":{"values":['.repeat(n)}{"stringValue":"x"}${']}}'.repeat(n)}`;
    const line = otlpLine([
      { traceId: T1, spanId: hexId(99, 16), name: 'deep', attributes: { k: 'PLACEHOLDER' } },
    ]).replace('{"stringValue":"PLACEHOLDER"}', deep);
    const { io, out } = captureIo(`${line}\n${fixtureText}`);
    expect(await main(['report', '-', '--json'], io)).toBe(0);
    expect(out.stderr).toBe('line 1: not valid OTLP JSON (attribute values nest deeper than 32 levels); skipped\n');
    expect(JSON.parse(out.stdout).totals).toMatchObject({ lines: 4, skippedLines: 1, spans: 9, costUsd: 0.0294315 });
  });

  it('skips-a-line-over-the-64-MiB-cap-with-its-number', async () => {
    // 65 MiB without a newline, streamed in 1 MiB chunks: never held whole, never a RangeError.
    const chunk = 'x'.repeat(1024 * 1024);
    async function* input() {
      yield `${fixtureText.split('\n')[0]}\n`;
      for (let i = 0; i < 65; i++) yield chunk;
      yield `\n${fixtureText.split('\n').slice(1).join('\n')}`;
    }
    const { io, out } = captureIo();
    io.stdin = Readable.from(input());
    expect(await main(['report', '-', '--json'], io)).toBe(0);
    expect(out.stderr).toBe(
      `line 2: not valid OTLP JSON (line of ${65 * 1024 * 1024} bytes is over the 64 MiB cap); skipped\n`,
    );
    expect(JSON.parse(out.stdout).totals).toMatchObject({ lines: 4, skippedLines: 1, traces: 3, costUsd: 0.0294315 });
  });

  it('keeps-lines-split-across-chunks-and-multibyte-characters-whole', async () => {
    const text = `${otlpLine([{ traceId: T1, spanId: hexId(1, 16), name: 'café ☕', attributes: { [ATTR_COST_USD]: 0.5 } }])}\r\n`;
    const bytes = Buffer.from(text);
    // One byte at a time: every boundary, including inside a UTF-8 sequence and between \r and \n.
    const lines = [];
    for await (const l of readOtlpLines(Readable.from([...bytes].map((b) => Buffer.from([b]))))) lines.push(l.parsed);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ kind: 'traces', spans: [{ name: 'café ☕' }] });
  });

  it('rejects-negative-and-non-finite-cost_usd-and-counts-them-skipped', async () => {
    const bad = (n: number, cost: number | string) => ({
      traceId: T3,
      spanId: hexId(n, 16),
      parentSpanId: hexId(31, 16),
      name: 'chat gpt-4o',
      attributes: { [ATTR_COST_USD]: cost, [ATTR_GEN_AI_REQUEST_MODEL]: 'gpt-4o' },
    });
    // -5 would be subtracted; two of 1e308 overflow to Infinity and the compensated sum to NaN; 1e400 parses as Infinity.
    const line = otlpLine([bad(41, -5), bad(42, 1e308), bad(43, 1e308), bad(44, 'free')]).replace(
      '"doubleValue":1e+308}',
      '"doubleValue":1e400}',
    );
    const { io, out } = captureIo(`${fixtureText}${line}\n`);
    expect(await main(['report', '-', '--json'], io)).toBe(0);
    expect(out.stderr.split('\n')).toEqual([
      `line 4: span ${hexId(41, 16)} of trace ${T3}: cost_usd -5 is negative; skipped`,
      `line 4: span ${hexId(42, 16)} of trace ${T3}: cost_usd Infinity is over the 1000000 USD plausibility cap; skipped`,
      `line 4: span ${hexId(43, 16)} of trace ${T3}: cost_usd 1e+308 is over the 1000000 USD plausibility cap; skipped`,
      `line 4: span ${hexId(44, 16)} of trace ${T3}: cost_usd is not a number; skipped`,
      '',
    ]);
    const json = JSON.parse(out.stdout);
    expect(json.totals).toMatchObject({ costUsd: 0.0294315, spans: 9, skippedSpans: 4, llmCalls: 5 });
    expect(json.models[0]).toMatchObject({ model: 'gpt-4o', costUsd: 0.01875, calls: 3 });
  });

  it('counts-the-same-span-seen-twice-once', async () => {
    // A retried export writes the same batch again; a second file holds the first's spans.
    const { io, out } = captureIo(`${fixtureText}${fixtureText.split('\n')[0]}\n`);
    expect(await main(['report', '-'], io)).toBe(0);
    expect(out.stdout).toContain('3 traces, 9 spans in 4 lines, 6 duplicate spans counted once');
    expect(out.stdout).toMatch(/ {2}total {4}\$0\.0294315/);
  });

  it('exits-1-when-nothing-is-otlp-and-says-a-pretty-printed-document-is-not-json-lines', async () => {
    const pretty = JSON.stringify(JSON.parse(fixtureText.split('\n')[0]!), null, 2);
    const file = join(dir, 'pretty.json');
    await writeFile(file, pretty);
    const { io, out } = captureIo();
    expect(await main(['report', file], io)).toBe(1);
    expect(out.stdout).toBe('');
    expect(out.stderr).toContain(`agentburn report: nothing in ${file} is OTLP JSON lines.\n`);
    expect(out.stderr).toContain('Expected one ExportTraceServiceRequest per line ({"resourceSpans":[...]})');
    expect(out.stderr).toContain("Line 1 is '{' alone: a pretty-printed JSON document is not JSON lines");
  });

  it('exits-0-on-an-empty-file', async () => {
    const { io, out } = captureIo('');
    expect(await main(['report', '-', '--json'], io)).toBe(0);
    expect(JSON.parse(out.stdout).totals).toMatchObject({ lines: 0, spans: 0, costUsd: 0 });
  });

  describe('with no file argument', () => {
    const saved = process.env.AGENTBURN_TRACES_FILE;
    afterAll(() => {
      if (saved === undefined) delete process.env.AGENTBURN_TRACES_FILE;
      else process.env.AGENTBURN_TRACES_FILE = saved;
    });

    it('reads-the-local-trace-file-and-its-rotated-files-oldest-first', async () => {
      const local = join(dir, 'local');
      await mkdir(local);
      const [l1, l2, l3] = fixtureText.split('\n');
      await writeFile(join(local, 'traces.2.jsonl'), `${l1}\n`);
      await writeFile(join(local, 'traces.1.jsonl'), `${l2}\nnot json\n`);
      await writeFile(join(local, 'traces.jsonl'), `${l3}\n`);
      await writeFile(join(local, 'other.jsonl'), `${l3}\n`);
      process.env.AGENTBURN_TRACES_FILE = join(local, 'traces.jsonl');
      const { io, out } = captureIo();
      expect(await main(['report', '--json'], io)).toBe(0);
      const json = JSON.parse(out.stdout);
      expect(json.source).toBe(`${join(local, 'traces.jsonl')} (and 2 rotated)`);
      expect(json.totals).toMatchObject({ traces: 3, spans: 9, lines: 4, skippedLines: 1, costUsd: 0.0294315 });
      // Messages name the file when there are several.
      expect(out.stderr).toBe(
        `${join(local, 'traces.1.jsonl')} line 2: not valid OTLP JSON (${JSON_ERROR}); skipped\n`,
      );
    });

    it('says-where-the-file-comes-from-when-there-is-none', async () => {
      process.env.AGENTBURN_TRACES_FILE = join(dir, 'nowhere', 'traces.jsonl');
      const { io, out } = captureIo();
      expect(await main(['report'], io)).toBe(1);
      expect(out.stderr).toBe(
        `agentburn report: no trace file at ${join(dir, 'nowhere', 'traces.jsonl')}.\n` +
          '@agentburn/node writes it when no OTLP endpoint is configured; run your app with it, or name a file.\n',
      );
    });
  });

  it('since-counts-only-spans-that-ended-in-the-window', async () => {
    // The fixture's spans ended in November 2023; one more gpt-4o call ends now.
    const nowNs = `${BigInt(Date.now()) * 1_000_000n}`;
    const recent = otlpLine([
      {
        traceId: hexId(4, 32),
        spanId: hexId(41, 16),
        name: 'chat gpt-4o',
        attributes: llm('gpt-4o', 100, 10, 0.00025, 0.0001),
      },
    ]).replace(/"(start|end)TimeUnixNano":"\d+"/g, `"$1TimeUnixNano":"${nowNs}"`);
    const { io, out } = captureIo(`${fixtureText}${recent}\n`);
    expect(await main(['report', '-', '--json', '--since', '2h'], io)).toBe(0);
    const json = JSON.parse(out.stdout);
    expect(json.source).toBe('stdin, spans that ended in the last 2h');
    expect(json.totals).toMatchObject({ traces: 1, spans: 1, llmCalls: 1, costUsd: 0.00035 });

    const all = captureIo(`${fixtureText}${recent}\n`);
    expect(await main(['report', '-', '--json', '--since', '100000d'], all.io)).toBe(0);
    expect(JSON.parse(all.out.stdout).totals).toMatchObject({ traces: 4, spans: 10, costUsd: 0.0297815 });
  });

  it('by-day-shows-only-the-days-table', async () => {
    const { io, out } = captureIo(fixtureText);
    expect(await main(['report', '-', '--by', 'day'], io)).toBe(0);
    expect(out.stdout).toContain('Days (UTC)\n');
    expect(out.stdout).toMatch(/\n {2}2023-11-14 +\$0\.02925 +\$0\.0001815 +\$0\.0294315 +5 +2 +1\n/);
    expect(out.stdout).not.toContain('Traces');
    expect(out.stdout).not.toContain('Models');
    const json = captureIo(fixtureText);
    expect(await main(['report', '-', '--by', 'model', '--json'], json.io)).toBe(0);
    expect(Object.keys(JSON.parse(json.out.stdout))).toEqual(['source', 'totals', 'compute', 'models']);
  });

  it('rejects-an-unknown-by-and-a-malformed-since', async () => {
    const a = captureIo(fixtureText);
    expect(await main(['report', '-', '--by', 'week'], a.io)).toBe(1);
    expect(a.out.stderr).toContain("--by takes trace, agent, model, day; got 'week'");
    const b = captureIo(fixtureText);
    expect(await main(['report', '-', '--since', 'yesterday'], b.io)).toBe(1);
    expect(b.out.stderr).toContain("--since takes a duration such as 30m, 2h or 7d, got 'yesterday'");
  });
});
