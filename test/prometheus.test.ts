/**
 * The dashboard's PromQL against a real Prometheus.
 *
 * Spend is recorded through the real CostSpanProcessor and MeterProvider; a
 * local scrape target renders the SDK's cumulative `cost_usd` points the way
 * the collector's prometheus exporter exposes the span-derived counter
 * (`cost_usd_total`, dots to underscores, `job` = service.name); Prometheus
 * (started here, with the example's scrape settings) scrapes it; every
 * expression in the dashboard JSON is evaluated through the HTTP API and
 * its numbers compared with the spend computed by hand.
 *
 * Skipped only when no `prometheus` binary is installed
 * (scripts/install-ci-deps.sh installs it).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ATTR_E2B_SANDBOX_BILLED_SECONDS,
  ATTR_E2B_SANDBOX_CPU_COUNT,
  ATTR_E2B_SANDBOX_ID,
  ATTR_E2B_SANDBOX_MEMORY_MIB,
  ATTR_GEN_AI_AGENT_NAME,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
  CostSpanProcessor,
  GEN_AI_OPERATION_CHAT,
  GEN_AI_OPERATION_INVOKE_AGENT,
  GEN_AI_PROVIDER_ANTHROPIC,
  GEN_AI_PROVIDER_OPENAI,
  SPAN_E2B_SANDBOX,
} from '@agentburn/core';
import { type Attributes, context, type Span, trace } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { AggregationTemporality, DataPointType, MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';

const SERVICE = 'agent-app';
const RANGE = '10m';
const RANGE_SECONDS = 600;

// Spend, by hand (override prices, E2B default rates):
//   planner: 2 x model-a (openai, $1 in / $2 out per Mtok), 1000 in + 500 out each
//            = 2 x (0.001 + 0.001)                                     = 0.004
//   coder:   1 x model-b (anthropic, $3 in / $15 out), 2000 in + 1000 out
//            = 0.006 + 0.015                                           = 0.021
//            1 x e2b.sandbox, 100 s, 2 vCPU, 512 MiB
//            = 100 x (2 x 0.000014 + 0.5 x 0.0000045) = 100 x 0.00003025 = 0.003025
//   no agent: 1 x mystery-model, unpriced                              = (no cost_usd)
const LLM = 0.025;
const COMPUTE = 0.003025;
const TOTAL = LLM + COMPUTE; // 0.028025
const BY_MODEL = { 'model-a': 0.004, 'model-b': 0.021 };
const BY_AGENT = { planner: 0.004, coder: 0.021 + COMPUTE };

function findPrometheus(): string | undefined {
  try {
    return execFileSync('which', ['prometheus'], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}
const prometheusBin = findPrometheus();

/** A reader the scrape target pulls from, like a Prometheus exporter does. */
class PullReader extends MetricReader {
  constructor() {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
  }
  protected onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
  protected onShutdown(): Promise<void> {
    return Promise.resolve();
  }
}

const sanitize = (name: string) => name.replace(/[^A-Za-z0-9_]/g, '_');
const escapeLabel = (v: string) => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');

/**
 * Text exposition of the cumulative sums, named as the collector names the
 * span-derived counter. A series is first exposed at 0 (what Prometheus'
 * created-timestamp zero ingestion records for a new counter), so increase()
 * and rate() see the whole spend without extrapolation and the assertions
 * can be exact.
 */
async function render(reader: PullReader, seen: Set<string>): Promise<string> {
  const { resourceMetrics } = await reader.collect();
  const job = String(resourceMetrics.resource.attributes['service.name'] ?? '');
  const lines: string[] = [];
  for (const scope of resourceMetrics.scopeMetrics) {
    for (const metric of scope.metrics) {
      if (metric.dataPointType !== DataPointType.SUM || !metric.isMonotonic) continue;
      const name = `${sanitize(metric.descriptor.name)}_total`;
      lines.push(`# TYPE ${name} counter`);
      for (const point of metric.dataPoints) {
        const labels = Object.entries({ job, ...(point.attributes as Attributes) })
          .map(([k, v]) => `${sanitize(k)}="${escapeLabel(String(v))}"`)
          .join(',');
        const key = `${name}{${labels}}`;
        const value = seen.has(key) ? point.value : 0;
        seen.add(key);
        lines.push(`${key} ${value}`);
      }
    }
  }
  return `${lines.join('\n')}\n`;
}

/** The workload: two agents, three priced LLM calls, one sandbox interval, one unpriced call. */
function recordSpend(tracerProvider: NodeTracerProvider): void {
  const tracer = tracerProvider.getTracer('workload');
  const child = (parent: Span, name: string, attributes: Attributes) =>
    tracer.startSpan(name, { attributes }, trace.setSpan(context.active(), parent)).end();
  const chat = (parent: Span, provider: string, model: string, input: number, output: number) =>
    child(parent, `chat ${model}`, {
      [ATTR_GEN_AI_OPERATION_NAME]: GEN_AI_OPERATION_CHAT,
      [ATTR_GEN_AI_PROVIDER_NAME]: provider,
      [ATTR_GEN_AI_REQUEST_MODEL]: model,
      [ATTR_GEN_AI_USAGE_INPUT_TOKENS]: input,
      [ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: output,
    });
  const agent = (parent: Span, name: string) =>
    tracer.startSpan(
      `invoke_agent ${name}`,
      { attributes: { [ATTR_GEN_AI_OPERATION_NAME]: GEN_AI_OPERATION_INVOKE_AGENT, [ATTR_GEN_AI_AGENT_NAME]: name } },
      trace.setSpan(context.active(), parent),
    );

  const root = tracer.startSpan('run');
  const planner = agent(root, 'planner');
  chat(planner, GEN_AI_PROVIDER_OPENAI, 'model-a', 1000, 500);
  chat(planner, GEN_AI_PROVIDER_OPENAI, 'model-a', 1000, 500);
  planner.end();
  const coder = agent(root, 'coder');
  chat(coder, GEN_AI_PROVIDER_ANTHROPIC, 'model-b', 2000, 1000);
  child(coder, SPAN_E2B_SANDBOX, {
    [ATTR_E2B_SANDBOX_ID]: 'sbx-1',
    [ATTR_E2B_SANDBOX_CPU_COUNT]: 2,
    [ATTR_E2B_SANDBOX_MEMORY_MIB]: 512,
    [ATTR_E2B_SANDBOX_BILLED_SECONDS]: 100,
  });
  coder.end();
  chat(root, GEN_AI_PROVIDER_OPENAI, 'mystery-model', 1000, 1000);
  root.end();
}

interface PanelTarget {
  expr?: string;
  datasource?: { type?: string };
}
interface Panel {
  title: string;
  datasource?: { type?: string };
  targets?: PanelTarget[];
}

const dashboardPath = new URL('../examples/observability/grafana/dashboards/agentburn.json', import.meta.url);
const dashboard = JSON.parse(readFileSync(dashboardPath, 'utf8')) as { panels: Panel[] };
const promPanels = dashboard.panels.flatMap((p) =>
  (p.targets ?? [])
    .filter((t) => (t.datasource?.type ?? p.datasource?.type) === 'prometheus' && t.expr)
    .map((t) => ({ title: p.title, expr: t.expr as string })),
);

/** Grafana's variables, as Grafana would interpolate them for this test's time range. */
function interpolate(expr: string): string {
  return expr
    .replaceAll('$__rate_interval', RANGE)
    .replaceAll('$__range', RANGE)
    .replaceAll('"$service"', `"${SERVICE}"`)
    .replaceAll('"$agent"', '".*"');
}

type Sample = { metric: Record<string, string>; value: [number, string] };

// In CI a missing binary is a failure, not a skip.
describe.skipIf(!prometheusBin && !process.env.CI)('dashboard PromQL on a real Prometheus', () => {
  let dir: string;
  let target: Server;
  let prometheus: ChildProcess | undefined;
  let promUrl = '';
  let evalTime = 0;
  let tracerProvider: NodeTracerProvider;
  let meterProvider: MeterProvider;

  async function query(expr: string, time?: number): Promise<Sample[]> {
    const params = new URLSearchParams({ query: expr });
    if (time !== undefined) params.set('time', String(time));
    const res = await fetch(`${promUrl}/api/v1/query?${params}`);
    const body = (await res.json()) as {
      status: string;
      error?: string;
      data: { resultType: string; result: Sample[] };
    };
    if (body.status !== 'success') throw new Error(`${expr}: ${body.error}`);
    expect(body.data.resultType).toBe('vector');
    return body.data.result;
  }

  /** Polls an observable condition (never a fixed sleep), bounded. */
  async function until<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
    for (let i = 0; i < 150; i++) {
      const value = await probe().catch(() => undefined);
      if (value !== undefined) return value;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`timed out waiting for ${what}`);
  }

  beforeAll(async () => {
    if (!prometheusBin) throw new Error('no `prometheus` binary on PATH: run scripts/install-ci-deps.sh');
    dir = mkdtempSync(join(tmpdir(), 'agentburn-prometheus-'));
    const reader = new PullReader();
    const resource = resourceFromAttributes({ 'service.name': SERVICE });
    meterProvider = new MeterProvider({ resource, readers: [reader] });
    const overrides = {
      'model-a': { input_mtok: 1, output_mtok: 2 },
      'model-b': { input_mtok: 3, output_mtok: 15 },
    };
    tracerProvider = new NodeTracerProvider({
      resource,
      spanProcessors: [new CostSpanProcessor({ meterProvider, overrides })],
    });
    recordSpend(tracerProvider);

    const seen = new Set<string>();
    target = createServer((req, res) => {
      if (req.url !== '/metrics') return void res.writeHead(404).end();
      render(reader, seen).then(
        (text) => res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(text),
        (err) => res.writeHead(500).end(String(err)),
      );
    });
    target.listen(0, '127.0.0.1');
    await once(target, 'listening');
    const targetPort = (target.address() as AddressInfo).port;

    // The example's scrape config, pointed at this target and sped up.
    const example = parse(readFileSync(new URL('../examples/observability/prometheus.yml', import.meta.url), 'utf8'));
    example.global = { scrape_interval: '1s', evaluation_interval: '1s' };
    example.scrape_configs[0].scrape_interval = '1s';
    example.scrape_configs[0].static_configs = [{ targets: [`127.0.0.1:${targetPort}`] }];
    writeFileSync(join(dir, 'prometheus.yml'), stringify(example));

    const probe = createServer();
    probe.listen(0, '127.0.0.1');
    await once(probe, 'listening');
    const promPort = (probe.address() as AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    promUrl = `http://127.0.0.1:${promPort}`;
    prometheus = spawn(
      prometheusBin,
      [
        `--config.file=${join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${promPort}`,
        '--log.level=warn',
      ],
      { stdio: 'ignore' },
    );

    // Both samples (the zero, then the spend) scraped; every query below is
    // evaluated at the spend sample's own timestamp.
    await until('the spend to be scraped', async () => {
      const [sample] = await query('sum(cost_usd_total)');
      return sample && Math.abs(Number(sample.value[1]) - TOTAL) < 1e-12 ? sample : undefined;
    });
    const [latest] = await query('max(timestamp(cost_usd_total))');
    evalTime = Number(latest?.value[1]);
  }, 30_000);

  afterAll(async () => {
    prometheus?.kill('SIGTERM');
    if (prometheus && prometheus.exitCode === null) await once(prometheus, 'exit');
    await new Promise<void>((r) => (target ? target.close(() => r()) : r()));
    await tracerProvider?.shutdown();
    await meterProvider?.shutdown();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const byLabel = (samples: Sample[], label: string) =>
    Object.fromEntries(samples.map((s) => [s.metric[label] ?? '', Number(s.value[1])]));
  const run = async (title: string) => {
    const panel = promPanels.find((p) => p.title === title);
    expect(panel, `panel "${title}"`).toBeDefined();
    return query(interpolate(panel?.expr ?? ''), evalTime);
  };
  const expectClose = (actual: Record<string, number>, expected: Record<string, number>) => {
    expect(Object.keys(actual).sort()).toEqual(Object.keys(expected).sort());
    for (const [k, v] of Object.entries(expected)) expect(actual[k], k).toBeCloseTo(v, 12);
  };

  it('every-prometheus-expression-of-the-dashboard-is-tested', () => {
    expect(promPanels.map((p) => p.title).sort()).toEqual(
      [
        'Spend in range',
        'LLM vs compute',
        'Spend by model',
        'Spend by agent',
        'Spend by service',
        'Spend rate, LLM vs compute (USD/hour)',
        'Spend rate by model (USD/hour)',
        'Spend rate by agent (USD/hour)',
      ].sort(),
    );
  });

  it('spend-in-range-is-the-total-of-priced-spans', async () => {
    const [sample] = await run('Spend in range');
    expect(Number(sample?.value[1])).toBeCloseTo(TOTAL, 12);
  });

  it('llm-vs-compute-splits-by-cost-kind', async () => {
    expectClose(byLabel(await run('LLM vs compute'), 'agentburn_cost_kind'), { llm: LLM, compute: COMPUTE });
  });

  it('spend-by-model-counts-llm-only-and-leaves-unpriced-out', async () => {
    expectClose(byLabel(await run('Spend by model'), 'gen_ai_request_model'), BY_MODEL);
  });

  it('spend-by-agent-includes-sandbox-compute-of-the-agent', async () => {
    expectClose(byLabel(await run('Spend by agent'), 'agentburn_agent_name'), BY_AGENT);
  });

  it('spend-by-service-uses-the-job-label-kept-by-honor_labels', async () => {
    expectClose(byLabel(await run('Spend by service'), 'job'), { [SERVICE]: TOTAL });
  });

  it('rate-panels-are-usd-per-hour', async () => {
    const perHour = (usd: number) => (usd / RANGE_SECONDS) * 3600;
    expectClose(byLabel(await run('Spend rate, LLM vs compute (USD/hour)'), 'agentburn_cost_kind'), {
      llm: perHour(LLM),
      compute: perHour(COMPUTE),
    });
    expectClose(byLabel(await run('Spend rate by model (USD/hour)'), 'gen_ai_request_model'), {
      'model-a': perHour(BY_MODEL['model-a']),
      'model-b': perHour(BY_MODEL['model-b']),
    });
    expectClose(byLabel(await run('Spend rate by agent (USD/hour)'), 'agentburn_agent_name'), {
      planner: perHour(BY_AGENT.planner),
      coder: perHour(BY_AGENT.coder),
    });
  });

  it('service-variable-lists-the-app', async () => {
    // What Grafana's label_values(cost_usd_total, job) asks.
    const res = await fetch(
      `${promUrl}/api/v1/label/job/values?${new URLSearchParams({ 'match[]': 'cost_usd_total' })}`,
    );
    expect(((await res.json()) as { data: string[] }).data).toEqual([SERVICE]);
  });
});

if (!prometheusBin && !process.env.CI) {
  describe('dashboard PromQL on a real Prometheus', () => {
    it.skip('skipped: no `prometheus` binary on PATH (scripts/install-ci-deps.sh installs it)', () => {});
  });
}
