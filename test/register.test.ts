/**
 * @agentburn/node in real child processes: the built package (dist), loaded
 * with `--import` / `--require` or called from code, talking to a fake OpenAI
 * server and exporting OTLP/HTTP to a local receiver. Build first
 * (`npm run build`; the root `npm test` does).
 */
import { join } from 'node:path';
import {
  ATTR_BUDGET_PROJECTED_USD,
  ATTR_COST_KIND,
  ATTR_COST_USD,
  ATTR_ERROR_TYPE,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_TRACE_COST_USD,
  ATTR_TRACE_LLM_CALLS,
  COST_KIND_LLM,
  GEN_AI_PROVIDER_OPENAI,
  METRIC_COST_USD,
} from '@agentburn/core';
import { describe, expect, it } from 'vitest';
import { startBedrockServer } from './fakes/bedrock-server';
import { startGeminiServer } from './fakes/gemini-server';
import { chatCompletion } from './fakes/openai-server';
import { stdoutLine } from './helpers/node-process';
import { closedPort, nodePackageBuilt, spawnFixture, USAGE, useRegisterHarness } from './helpers/register-harness';

type OtlpSum = {
  aggregationTemporality: number;
  isMonotonic: boolean;
  dataPoints: { asDouble?: number; attributes?: { key: string; value: { stringValue?: string } }[] }[];
};
/** A metric by name from an OTLP/JSON ExportMetricsServiceRequest. */
function findMetric(body: unknown, name: string): { name: string; sum?: OtlpSum } | undefined {
  type Req = { resourceMetrics?: { scopeMetrics?: { metrics?: { name: string; sum?: OtlpSum }[] }[] }[] };
  return (body as Req).resourceMetrics
    ?.flatMap((r) => r.scopeMetrics ?? [])
    .flatMap((s) => s.metrics ?? [])
    .find((m) => m.name === name);
}

const traceIdOf = (stdout: string) => /^trace ([0-9a-f]{32})$/m.exec(stdout)?.[1];

describe.skipIf(!nodePackageBuilt)('@agentburn/node register', () => {
  const h = useRegisterHarness('agentburn-register-');
  const { env, withEndpoint } = h;

  it('import-flag-instruments-esm-app-and-exports-cost_usd-keeping-exit-code', async () => {
    const { done } = spawnFixture(
      ['--import', '@agentburn/node/register', 'openai-app.mjs'],
      // The receiver decodes metrics from JSON; spans go as protobuf, the default.
      withEndpoint({ FIXTURE_MODE: 'exit-code', OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: 'http/json' }),
    );
    const run = await done;
    expect(run.stderr).toBe('');
    expect(run.code).toBe(3);

    const spans = await h.receiver.waitForSpans(2);
    const chat = spans.find((s) => s.name === 'chat my-model');
    const agent = spans.find((s) => s.name === 'agent-run');
    expect(chat?.attributes[ATTR_COST_USD]).toBeCloseTo(0.002, 12);
    expect(chat?.parentSpanId).toBe(agent?.spanId);
    expect(agent?.traceId).toBe(traceIdOf(run.stdout));
    expect(agent?.attributes[ATTR_COST_USD]).toBeUndefined();
    expect(agent?.attributes[ATTR_TRACE_COST_USD]).toBeCloseTo(0.002, 12);
    expect(agent?.attributes[ATTR_TRACE_LLM_CALLS]).toBe(1);
    expect(agent?.resource['service.name']).toBe('fixture');

    // The cost_usd counter left with the final metric export at shutdown, cumulative.
    const [metrics] = await h.receiver.waitForRequests('/v1/metrics', 1);
    const cost = findMetric(metrics?.json, METRIC_COST_USD);
    expect(cost?.sum?.aggregationTemporality).toBe(2); // AGGREGATION_TEMPORALITY_CUMULATIVE
    expect(cost?.sum?.isMonotonic).toBe(true);
    expect(cost?.sum?.dataPoints).toHaveLength(1);
    const point = cost?.sum?.dataPoints[0];
    expect(point?.asDouble).toBeCloseTo(0.002, 12);
    expect(Object.fromEntries((point?.attributes ?? []).map((a) => [a.key, a.value.stringValue]))).toEqual({
      [ATTR_COST_KIND]: COST_KIND_LLM,
      [ATTR_GEN_AI_PROVIDER_NAME]: GEN_AI_PROVIDER_OPENAI,
      [ATTR_GEN_AI_REQUEST_MODEL]: 'my-model',
    });
  });

  it('require-flag-instruments-cjs-app', async () => {
    const { done } = spawnFixture(['--require', '@agentburn/node/register', 'openai-app.cjs'], withEndpoint());
    const run = await done;
    expect(run.code).toBe(0);
    const spans = await h.receiver.waitForSpans(2);
    expect(spans.map((s) => s.name).sort()).toEqual(['agent-run', 'chat my-model']);
    expect(spans.find((s) => s.name === 'chat my-model')?.attributes[ATTR_COST_USD]).toBeCloseTo(0.002, 12);
  });

  it('programmatic-register-sets-service-name-and-shutdown-exports', async () => {
    const { done } = spawnFixture(['programmatic.cjs'], withEndpoint({ OTEL_SERVICE_NAME: '' }));
    const run = await done;
    expect(run.stdout).toContain('shut down');
    expect(run.code).toBe(0);
    const spans = await h.receiver.waitForSpans(2);
    expect(spans.every((s) => s.resource['service.name'] === 'fixture-service')).toBe(true);
    expect(spans.find((s) => s.name === 'chat my-model')?.attributes[ATTR_COST_USD]).toBeCloseTo(0.002, 12);
  });

  it('sigterm-without-app-handler-flushes-then-dies-of-the-signal', async () => {
    const { child, done } = spawnFixture(
      ['--import', '@agentburn/node/register', 'openai-app.mjs'],
      withEndpoint({ FIXTURE_MODE: 'wait' }),
    );
    await stdoutLine(child, 'ready');
    // The batch processor still holds both spans (its 5 s delay has not passed): only the flush can deliver them.
    expect(h.receiver.spans).toHaveLength(0);
    child.kill('SIGTERM');
    const run = await done;
    expect(run.signal).toBe('SIGTERM');
    expect(h.receiver.spans.map((s) => s.name).sort()).toEqual(['agent-run', 'chat my-model']);
  });

  it('sigterm-with-app-handler-leaves-exit-to-the-app', async () => {
    const { child, done } = spawnFixture(
      ['--import', '@agentburn/node/register', 'openai-app.mjs'],
      withEndpoint({ FIXTURE_MODE: 'wait-own-handler' }),
    );
    await stdoutLine(child, 'ready');
    child.kill('SIGTERM');
    const run = await done;
    expect(run.signal).toBeNull();
    expect(run.code).toBe(3);
    expect(h.receiver.spans.map((s) => s.name).sort()).toEqual(['agent-run', 'chat my-model']);
  });

  it('prints-summary-line-on-stderr-without-endpoint', async () => {
    // Distinct response ids, as a real server sends them.
    h.openai.reply(
      ...[1, 2, 3].map((n) => (r: { body: { model: string } }) => ({
        json: chatCompletion({ id: `chatcmpl-${n}`, model: r.body.model, chatUsage: USAGE }),
      })),
    );
    const { done } = spawnFixture(
      ['--import', '@agentburn/node/register', 'openai-app.mjs'],
      env({ FIXTURE_MODELS: 'my-model,my-model,mystery-model-x' }),
    );
    const run = await done;
    expect(run.code).toBe(0);
    const traceId = traceIdOf(run.stdout);
    // Two priced calls at $0.002 each; the third model has no price.
    expect(run.stderr.trim().split('\n')).toContain(
      `agentburn  trace ${traceId?.slice(0, 8)}  $0.0040  3 LLM calls · unpriced: mystery-model-x`,
    );
    expect(h.receiver.requests).toHaveLength(0);
  });

  it('budget-env-refuses-the-call-that-would-cross-it-and-the-summary-says-so', async () => {
    // my-model (overrides): $1/Mtok in, $2/Mtok out. Each call projects, before it is sent,
    // 9 input tokens (size bound: 3 request + 3 message + "user" 2 + "hi" 1) and its 500-token cap:
    // 9e-6 + 0.001 = 0.001009; each costs $0.002 once billed (1000 in, 500 out).
    // Call 3: 0.004 spent + 0.001009 = 0.005009 > 0.005: refused, never sent.
    h.openai.reply(
      ...[1, 2].map((n) => (r: { body: { model: string } }) => ({
        json: chatCompletion({ id: `chatcmpl-${n}`, model: r.body.model, chatUsage: USAGE }),
      })),
    );
    const { done } = spawnFixture(
      ['--import', '@agentburn/node/register', 'budget-app.mjs'],
      env({ AGENTBURN_BUDGET_USD: '0.005' }),
    );
    const run = await done;
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('refused call 3\n');
    expect(h.openai.requests).toHaveLength(2);
    const traceId = traceIdOf(run.stdout);
    expect(run.stderr.trim().split('\n')).toContain(
      `agentburn  trace ${traceId?.slice(0, 8)}  $0.0040  2 LLM calls · budget exceeded (1 refused)`,
    );
  });

  it('budget-env-refuses-gemini-and-bedrock-calls-before-they-reach-a-server-and-keeps-their-spans', async () => {
    // Both project 3 request + 5 ("Say hello.", one token per two bytes) input tokens and more
    // (Converse: + 3 message + 2 "user" + 3 block), with a 100-token cap:
    //   gemini-2.5-flash: 8 x 0.3e-6 + 100 x 2.5e-6 = 252.4e-6 > 200e-6;
    //   Claude 3.7 Sonnet (us. profile): 16 x 3e-6 + 100 x 15e-6 = 1548e-6 > 200e-6.
    const gemini = await startGeminiServer();
    const bedrock = await startBedrockServer();
    try {
      const run = await spawnFixture(
        ['--import', '@agentburn/node/register', 'budget-gemini-bedrock.mjs'],
        withEndpoint({
          AGENTBURN_BUDGET_USD: '0.0002',
          FIXTURE_GEMINI_URL: gemini.url,
          FIXTURE_BEDROCK_URL: bedrock.url,
        }),
      ).done;
      expect(run.code).toBe(0);
      expect(run.stdout).toBe('refused gemini\nrefused bedrock\n');
      // Nothing of ours on stderr: a refusal is the app's to handle, and no summary is due (spans are exported).
      expect(run.stderr.split('\n').filter((line) => line.includes('agentburn'))).toEqual([]);
      expect(gemini.requests).toHaveLength(0);
      expect(bedrock.requests).toHaveLength(0);
      const spans = await h.receiver.waitForSpans(3);
      expect(spans.map((s) => s.name).sort()).toEqual([
        'agent-run',
        'chat us.anthropic.claude-3-7-sonnet-20250219-v1:0',
        'generate_content gemini-2.5-flash',
      ]);
      const refused = (name: string) => {
        const span = spans.find((s) => s.name === name);
        return {
          errorType: span?.attributes[ATTR_ERROR_TYPE],
          projectedUsd: span?.attributes[ATTR_BUDGET_PROJECTED_USD],
          costUsd: span?.attributes[ATTR_COST_USD],
        };
      };
      expect(refused('generate_content gemini-2.5-flash')).toEqual({
        errorType: 'BudgetExceededError',
        projectedUsd: expect.closeTo(252.4e-6, 15),
        costUsd: undefined,
      });
      expect(refused('chat us.anthropic.claude-3-7-sonnet-20250219-v1:0')).toEqual({
        errorType: 'BudgetExceededError',
        projectedUsd: expect.closeTo(1548e-6, 15),
        costUsd: undefined,
      });
    } finally {
      await gemini.close();
      await bedrock.close();
    }
  });

  it('budget-env-that-is-not-a-number-is-ignored-and-the-app-runs', async () => {
    const { done } = spawnFixture(
      ['--import', '@agentburn/node/register', 'budget-app.mjs'],
      env({ AGENTBURN_BUDGET_USD: 'two dollars' }),
    );
    const run = await done;
    expect(run.code).toBe(0);
    expect(run.stdout).not.toContain('refused');
    expect(h.openai.requests).toHaveLength(10);
  });

  it('bad-price-file-warns-once-and-keeps-tracing-with-the-catalogue', async () => {
    const missing = join(h.dir, 'missing.json');
    h.openai.defaults.chatUsage = { prompt_tokens: 1000, completion_tokens: 200, total_tokens: 1200 };
    const { done } = spawnFixture(
      ['--import', '@agentburn/node/register', 'openai-app.mjs'],
      withEndpoint({ AGENTBURN_PRICES_FILE: missing, FIXTURE_MODE: 'exit-code', FIXTURE_MODELS: 'gpt-4o' }),
    );
    const run = await done;
    expect(run.code).toBe(3);
    expect(run.stderr).toBe(
      `@agentburn/core: AGENTBURN_PRICES_FILE ${missing}: cannot be read (ENOENT); the file is ignored, prices come from the catalogue\n`,
    );
    // Traced and priced from the catalogue: gpt-4o 1000 x 2.5/1e6 + 200 x 10/1e6 = 0.0045.
    const spans = await h.receiver.waitForSpans(2);
    expect(spans.find((s) => s.name === 'agent-run')?.traceId).toBe(traceIdOf(run.stdout));
    expect(spans.find((s) => s.name === 'chat gpt-4o')?.attributes[ATTR_COST_USD]).toBeCloseTo(0.0045, 12);
  });

  it('unreachable-endpoint-keeps-the-exit-code-within-the-flush-bound', async () => {
    // A port that was free a moment ago: every export is refused, and the OTLP
    // exporter retries for up to its 10 s timeout unless the 500 ms bound ends it.
    const port = await closedPort();
    const started = Date.now();
    const { done } = spawnFixture(
      ['unreachable.cjs'],
      env({ OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}`, OTEL_SERVICE_NAME: '' }),
    );
    const run = await done;
    const elapsed = Date.now() - started;
    expect(run.code).toBe(4);
    expect(run.signal).toBeNull();
    // No stack trace, no unhandled rejection: one line with what the bound cost.
    expect(run.stderr).toBe(
      `agentburn: telemetry flush did not finish within 500 ms: 2 spans not exported (2 still queued or in flight to http://127.0.0.1:${port}/v1/traces)\n`,
    );
    expect(h.openai.requests).toHaveLength(1);
    // 500 ms bound plus process start-up; far below the exporter's 10 s of retries.
    expect(elapsed).toBeLessThan(5000);
  }, 15_000);

  it('summary-never-silences-the-line', async () => {
    const { done } = spawnFixture(
      ['--import', '@agentburn/node/register', 'openai-app.mjs'],
      env({ AGENTBURN_SUMMARY: 'never' }),
    );
    const run = await done;
    expect(run.code).toBe(0);
    expect(run.stderr).not.toContain('agentburn  trace');
  });
});

if (!nodePackageBuilt) {
  describe('@agentburn/node register', () => {
    it.skip('skipped: packages/node/dist is missing; run `npm run build` first', () => {});
  });
}
