/**
 * The local OTLP JSON-lines trace file: written by the real exporter (in this
 * process, and by the built @agentburn/node in child processes), read back
 * by the report's reader. Build first (`npm run build`; `npm test` does).
 */
import { spawn } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ATTR_COST_USD, ATTR_GEN_AI_REQUEST_MODEL } from '@agentburn/core';
import { DEFAULT_TRACES_FILE, OTLPFileTraceExporter, rotatedPath } from '@agentburn/node';
import { type DiagLogger, DiagLogLevel, diag } from '@opentelemetry/api';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SpendAggregator } from '../packages/cli/src/report/aggregate';
import { parseOtlpLine } from '../packages/cli/src/report/read-otlp-lines';
import { type OtlpReceiver, startOtlpReceiver } from './helpers/otlp-receiver';

const root = fileURLToPath(new URL('..', import.meta.url));
const nodeDist = join(root, 'packages', 'node', 'dist', 'index.cjs');
const built = existsSync(nodeDist);
const require = createRequire(import.meta.url);

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'agentburn-traces-file-'));
  chmodSync(dir, 0o755); // children may run as another user
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
const scratch = () => {
  const d = join(dir, `case-${++n}`);
  mkdirSync(d, { recursive: true, mode: 0o755 });
  chmodSync(d, 0o777);
  return d;
};

/** Ends `count` spans of $0.001 each through `exporter`, one export per span. */
async function emit(exporter: OTLPFileTraceExporter, count: number): Promise<void> {
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const tracer = provider.getTracer('traces-file-test');
  for (let i = 0; i < count; i++) {
    tracer.startSpan('chat m', { attributes: { [ATTR_COST_USD]: 0.001, [ATTR_GEN_AI_REQUEST_MODEL]: 'm' } }).end();
  }
  await provider.shutdown();
}

/** Every line of the given files parsed and summed, as `agentburn report` does. */
function readBack(files: string[]) {
  const agg = new SpendAggregator();
  let malformed = 0;
  for (const file of files) {
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      if (line === '') continue;
      const parsed = parseOtlpLine(line);
      if (parsed.kind === 'malformed') malformed++;
      agg.addLine(parsed);
    }
  }
  return { ...agg.result().totals, malformed };
}

function captureDiag(): { warnings: string[]; restore: () => void } {
  const warnings: string[] = [];
  const logger: DiagLogger = {
    error: (m) => warnings.push(m),
    warn: (m) => warnings.push(m),
    info() {},
    debug() {},
    verbose() {},
  };
  diag.setLogger(logger, DiagLogLevel.WARN);
  return { warnings, restore: () => diag.disable() };
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runNode(script: string, options: { cwd: string; env?: Record<string, string>; uid?: number }): Promise<Run> {
  const base = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !/^(OTEL_|AGENTBURN_|NODE_OPTIONS|VITEST)/.test(k)),
  );
  const child = spawn(process.execPath, ['-e', script], {
    cwd: options.cwd,
    env: { ...base, ...options.env },
    stdio: 'pipe',
    ...(options.uid !== undefined ? { uid: options.uid, gid: options.uid } : {}),
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

/** A child that writes `batches` exports of `perBatch` spans straight through the exporter. */
const writerScript = (path: string, batches: number, perBatch: number, maxFileBytes?: number) => `
  const { OTLPFileTraceExporter } = require(${JSON.stringify(nodeDist)});
  const { BasicTracerProvider, BatchSpanProcessor } = require(${JSON.stringify(require.resolve('@opentelemetry/sdk-trace-base'))});
  const exporter = new OTLPFileTraceExporter({ path: ${JSON.stringify(path)}, maxFileBytes: ${maxFileBytes ?? 'undefined'}, maxRotatedFiles: 1000 });
  const provider = new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(exporter, { maxExportBatchSize: ${perBatch}, maxQueueSize: ${batches * perBatch} })] });
  const tracer = provider.getTracer('writer');
  (async () => {
    for (let b = 0; b < ${batches}; b++) {
      for (let i = 0; i < ${perBatch}; i++) tracer.startSpan('chat m', { attributes: { cost_usd: 0.001, 'gen_ai.request.model': 'm' } }).end();
      await provider.forceFlush();
    }
    await provider.shutdown();
  })();
`;

describe('OTLPFileTraceExporter', () => {
  afterEach(() => diag.disable());

  it('writes-one-export-trace-service-request-per-line-that-the-report-sums', async () => {
    const path = join(scratch(), 'traces.jsonl');
    await emit(new OTLPFileTraceExporter({ path }), 7);
    const lines = readFileSync(path, 'utf8').split('\n');
    expect(lines).toHaveLength(8); // 7 lines and the final newline
    const first = JSON.parse(lines[0]!);
    expect(Object.keys(first)).toEqual(['resourceSpans']);
    expect(first.resourceSpans[0].scopeSpans[0].spans[0].attributes).toContainEqual({
      key: ATTR_COST_USD,
      value: { doubleValue: 0.001 },
    });
    expect(readBack([path])).toMatchObject({ spans: 7, llmCalls: 7, costUsd: 0.007, malformed: 0 });
    // A custom folder is the user's: no .gitignore is written there.
    expect(existsSync(join(path, '..', '.gitignore'))).toBe(false);
  });

  it('rotates-at-the-size-cap-and-keeps-a-bounded-number-of-files', async () => {
    const d = scratch();
    const path = join(d, 'traces.jsonl');
    const exporter = new OTLPFileTraceExporter({ path, maxFileBytes: 4096, maxRotatedFiles: 2 });
    await emit(exporter, 60);
    expect(readdirSync(d).sort()).toEqual(['traces.1.jsonl', 'traces.2.jsonl', 'traces.jsonl']);
    for (const f of readdirSync(d)) expect(statSync(join(d, f)).size).toBeLessThanOrEqual(4096);
    // The newest spans survive whole; the oldest files were dropped.
    const kept = readBack([rotatedPath(path, 2), rotatedPath(path, 1), path]);
    expect(kept.malformed).toBe(0);
    expect(kept.spans).toBeGreaterThan(0);
    expect(kept.spans).toBeLessThan(60);
  });

  it('warns-once-on-a-full-disk-and-counts-the-spans-not-written', async () => {
    const { warnings, restore } = captureDiag();
    try {
      // /dev/full: opens for append, every write fails with ENOSPC.
      const exporter = new OTLPFileTraceExporter({ path: '/dev/full' });
      await emit(exporter, 3);
      expect(warnings).toEqual([
        expect.stringMatching(/^agentburn: cannot write traces to \/dev\/full \(ENOSPC: .*\); tracing goes on/),
        'agentburn: 3 spans not written to /dev/full',
      ]);
    } finally {
      restore();
    }
  });

  it('keeps-writing-after-a-failed-write-once-the-path-works', async () => {
    const { warnings, restore } = captureDiag();
    try {
      const d = scratch();
      const blocker = join(d, 'not-a-dir');
      // A file where the folder should be: mkdir fails (ENOTDIR / EEXIST) until it is removed.
      await emit(new OTLPFileTraceExporter({ path: join(d, 'traces.jsonl') }), 1);
      const exporter = new OTLPFileTraceExporter({ path: join(blocker, 'traces.jsonl') });
      writeFileSync(blocker, '');
      const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
      const tracer = provider.getTracer('t');
      tracer.startSpan('a').end();
      tracer.startSpan('b').end();
      rmSync(blocker);
      tracer.startSpan('c').end();
      await provider.shutdown();
      expect(warnings.filter((w) => w.includes('cannot write traces'))).toHaveLength(1);
      expect(warnings).toContain(`agentburn: 2 spans not written to ${join(blocker, 'traces.jsonl')}`);
      expect(readBack([join(blocker, 'traces.jsonl')]).spans).toBe(1);
    } finally {
      restore();
    }
  });
});

describe.skipIf(!built)('OTLPFileTraceExporter in child processes', () => {
  it('concurrent-writers-never-interleave-a-line', async () => {
    const path = join(scratch(), 'traces.jsonl');
    // 4 processes x 25 batches x 40 spans, every batch one append.
    const runs = await Promise.all(Array.from({ length: 4 }, () => runNode(writerScript(path, 25, 40), { cwd: dir })));
    for (const r of runs) expect(r).toMatchObject({ code: 0, stderr: '' });
    const lines = readFileSync(path, 'utf8').split('\n').filter(Boolean);
    expect(lines).toHaveLength(100);
    expect(readBack([path])).toMatchObject({ spans: 4000, costUsd: 4, malformed: 0 });
  });

  it('concurrent-writers-rotating-lose-no-span', async () => {
    const d = scratch();
    const path = join(d, 'traces.jsonl');
    // A 32 KiB cap: each process rotates many times while the others append.
    const runs = await Promise.all(
      Array.from({ length: 4 }, () => runNode(writerScript(path, 25, 40, 32 * 1024), { cwd: dir })),
    );
    for (const r of runs) expect(r).toMatchObject({ code: 0, stderr: '' });
    const files = readdirSync(d).filter((f) => f.endsWith('.jsonl'));
    expect(files.length).toBeGreaterThan(5);
    expect(readdirSync(d).filter((f) => f.endsWith('.lock'))).toEqual([]);
    expect(readBack(files.map((f) => join(d, f)))).toMatchObject({ spans: 4000, costUsd: 4, malformed: 0 });
  });

  const registerApp = (extra = '') => `
    const { register } = require(${JSON.stringify(nodeDist)});
    const { trace } = require(${JSON.stringify(require.resolve('@opentelemetry/api'))});
    register({ serviceName: 'file-app', instrumentations: [] ${extra} });
    const tracer = trace.getTracer('app');
    tracer.startActiveSpan('invoke_agent demo', (root) => {
      for (let i = 0; i < 5; i++) tracer.startSpan('chat m', { attributes: { cost_usd: 0.002, 'gen_ai.request.model': 'm', 'agentburn.cost.status': 'priced' } }).end();
      root.end();
    });
    process.exitCode = 3;
  `;

  it('writes-the-default-file-with-its-gitignore-and-prints-the-path-once-flushing-at-exit', async () => {
    const cwd = scratch();
    const r = await runNode(registerApp(), { cwd });
    // The app's exit code is kept; the batch still queued at exit was flushed.
    expect(r.code).toBe(3);
    expect(readBack([join(cwd, DEFAULT_TRACES_FILE)])).toMatchObject({ spans: 6, costUsd: 0.01, malformed: 0 });
    expect(readFileSync(join(cwd, '.agentburn', '.gitignore'), 'utf8')).toBe('*\n');
    const notices = r.stderr.split('\n').filter((l) => l.startsWith('agentburn: traces written to'));
    expect(notices).toEqual([
      "agentburn: traces written to .agentburn/traces.jsonl; 'npx agentburn report' sums them, 'npx agentburn report --html report.html' draws them",
    ]);
  });

  it('writes-nothing-when-AGENTBURN_TRACES_FILE-is-off', async () => {
    const cwd = scratch();
    const r = await runNode(registerApp(), { cwd, env: { AGENTBURN_TRACES_FILE: 'off' } });
    expect(r.code).toBe(3);
    expect(existsSync(join(cwd, '.agentburn'))).toBe(false);
  });

  describe('with an OTLP endpoint', () => {
    let receiver: OtlpReceiver;
    beforeAll(async () => {
      receiver = await startOtlpReceiver();
    });
    afterAll(() => receiver.close());

    it('is-off-with-an-otlp-endpoint-unless-asked-for', async () => {
      const off = scratch();
      const env = { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_METRICS_EXPORTER: 'none' };
      expect((await runNode(registerApp(), { cwd: off, env })).code).toBe(3);
      expect(existsSync(join(off, '.agentburn'))).toBe(false);

      const on = scratch();
      const r = await runNode(registerApp(), { cwd: on, env: { ...env, AGENTBURN_TRACES_FILE: 'out/spans.jsonl' } });
      expect(r.code).toBe(3);
      expect(readBack([join(on, 'out', 'spans.jsonl')])).toMatchObject({ spans: 6, costUsd: 0.01 });
      expect(r.stderr).toContain('agentburn: traces written to out/spans.jsonl;');
    });
  });

  it('read-only-folder-gives-one-warning-and-tracing-goes-on', async () => {
    const cwd = scratch();
    const locked = join(cwd, 'locked');
    mkdirSync(locked, { mode: 0o555 });
    chmodSync(locked, 0o555);
    // Root ignores folder permissions: run the app as "nobody" then.
    const asRoot = process.getuid?.() === 0;
    const r = await runNode(
      `const { diag, DiagConsoleLogger, DiagLogLevel } = require(${JSON.stringify(require.resolve('@opentelemetry/api'))});
       diag.setLogger(new DiagConsoleLogger(), DiagLogLevel.WARN);
       let ended = 0;
       process.on('exit', () => console.log('spans ended: ' + ended));
       ${registerApp(', spanProcessors: [{ onStart() {}, onEnd() { ended++ }, forceFlush: async () => {}, shutdown: async () => {} }]')}`,
      { cwd, env: { AGENTBURN_TRACES_FILE: join(locked, 'traces.jsonl') }, ...(asRoot ? { uid: 65534 } : {}) },
    );
    expect(r.code).toBe(3);
    expect(r.stderr.match(/cannot write traces to/g)).toHaveLength(1);
    expect(r.stderr).toMatch(/cannot write traces to .*locked\/traces\.jsonl \(EACCES: permission denied, open /);
    expect(r.stderr).toContain('agentburn: 6 spans not written to');
    // Tracing went on: every span reached the processors behind the file exporter.
    expect(r.stdout).toBe('spans ended: 6\n');
    expect(readdirSync(locked)).toEqual([]);
  });
});
