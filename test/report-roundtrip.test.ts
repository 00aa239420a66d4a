/**
 * What our own pipeline exports, `agentburn report` reads: spans priced by the
 * real CostSpanProcessor, sent by the real OTLP/HTTP JSON exporter to a local
 * receiver that writes one request per line (as the collector's file exporter
 * does), then reported.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import {
  ATTR_E2B_SANDBOX_ACTIVE_SECONDS,
  ATTR_E2B_SANDBOX_BILLED_SECONDS,
  ATTR_E2B_SANDBOX_CPU_COUNT,
  ATTR_E2B_SANDBOX_END_REASON,
  ATTR_E2B_SANDBOX_ID,
  ATTR_E2B_SANDBOX_MEMORY_MIB,
  ATTR_E2B_TEMPLATE_ID,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
  ATTR_TRACE_COST_USD,
  CostSpanProcessor,
  GEN_AI_OPERATION_CHAT,
  GEN_AI_PROVIDER_OPENAI,
  SANDBOX_END_KILLED,
  SPAN_E2B_SANDBOX,
  withAgent,
} from '@agentburn/core';
import { ROOT_CONTEXT, SpanKind, trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { main } from '../packages/cli/src/main';
import { parseOtlpLine } from '../packages/cli/src/report/read-otlp-lines';

let server: Server;
let dir: string;
const bodies: string[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'agentburn-roundtrip-'));
  server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      bodies.push(body);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await rm(dir, { recursive: true, force: true });
});

it('reports-what-the-cost-processor-exported-over-otlp-json', async () => {
  const { port } = server.address() as AddressInfo;
  const exporter = new OTLPTraceExporter({ url: `http://127.0.0.1:${port}/v1/traces` });
  const provider = new BasicTracerProvider({
    spanProcessors: [new CostSpanProcessor(), new SimpleSpanProcessor(exporter)],
  });
  const tracer = provider.getTracer('roundtrip');

  withAgent(
    'roundtrip-agent',
    (agentSpan) => {
      // Children of the agent span by explicit context: no global context manager in this test.
      const parent = trace.setSpan(ROOT_CONTEXT, agentSpan);
      const llm = (model: string, input: number, output: number) =>
        tracer
          .startSpan(
            `chat ${model}`,
            {
              kind: SpanKind.CLIENT,
              attributes: {
                [ATTR_GEN_AI_OPERATION_NAME]: GEN_AI_OPERATION_CHAT,
                [ATTR_GEN_AI_PROVIDER_NAME]: GEN_AI_PROVIDER_OPENAI,
                [ATTR_GEN_AI_REQUEST_MODEL]: model,
                [ATTR_GEN_AI_USAGE_INPUT_TOKENS]: input,
                [ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: output,
              },
            },
            parent,
          )
          .end();
      llm('gpt-4o', 1000, 500); // 0.0025 + 0.005 = 0.0075
      llm('my-finetune-xyz', 10, 10); // no price: unpriced
      tracer
        .startSpan(
          SPAN_E2B_SANDBOX,
          {
            attributes: {
              [ATTR_E2B_SANDBOX_ID]: 'sbx1',
              [ATTR_E2B_TEMPLATE_ID]: 'base',
              [ATTR_E2B_SANDBOX_CPU_COUNT]: 2,
              [ATTR_E2B_SANDBOX_MEMORY_MIB]: 512,
              [ATTR_E2B_SANDBOX_BILLED_SECONDS]: 6,
              [ATTR_E2B_SANDBOX_ACTIVE_SECONDS]: 2,
              [ATTR_E2B_SANDBOX_END_REASON]: SANDBOX_END_KILLED,
            },
          },
          parent,
        )
        .end(); // 6 x (2 x 0.000014 + 0.5 x 0.0000045) = 0.0001815
    },
    { tracer },
  );
  await provider.forceFlush();
  await provider.shutdown();

  // One export request per span (SimpleSpanProcessor): four lines, one trace.
  expect(bodies).toHaveLength(4);
  const file = join(dir, 'traces.jsonl');
  await writeFile(file, `${bodies.join('\n')}\n`);

  const out = { stdout: '', stderr: '' };
  const code = await main(['report', file, '--json'], {
    stdin: Readable.from([]),
    stdout: { write: (c: string) => (out.stdout += c) },
    stderr: { write: (c: string) => (out.stderr += c) },
  });
  expect(out.stderr).toBe('');
  expect(code).toBe(0);
  const report = JSON.parse(out.stdout);
  // 0.0075 + 0.0001815
  expect(report.totals).toEqual({
    costUsd: 0.0076815,
    llmUsd: 0.0075,
    computeUsd: 0.0001815,
    llmCalls: 2,
    sandboxRuns: 0,
    unpricedSpans: 1,
    traces: 1,
    spans: 4,
    lines: 4,
    skippedLines: 0,
    skippedSpans: 0,
    duplicateSpans: 0,
  });
  expect(report.agents).toEqual([
    {
      agent: 'roundtrip-agent',
      costUsd: 0.0076815,
      llmUsd: 0.0075,
      computeUsd: 0.0001815,
      llmCalls: 2,
      sandboxRuns: 0,
      unpricedSpans: 1,
    },
  ]);
  expect(report.models.map((m: { model: string; unpricedCalls: number }) => [m.model, m.unpricedCalls])).toEqual([
    ['gpt-4o', 0],
    ['my-finetune-xyz', 1],
  ]);
  expect(report.traces[0].rootSpan).toBe('invoke_agent roundtrip-agent');

  // The report's sum over spans equals the processor's own rollup on the root.
  const root = bodies
    .map(parseOtlpLine)
    .flatMap((p) => (p.kind === 'traces' ? p.spans : []))
    .find((s) => !s.parentSpanId);
  expect(root?.attributes[ATTR_TRACE_COST_USD]).toBeCloseTo(report.totals.costUsd, 12);
});
