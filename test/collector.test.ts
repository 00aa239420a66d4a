/**
 * otel-collector.yaml is read by the collector, not by our code, so these
 * checks pin what a typo would silently break: the pipeline graph, the
 * connector wiring, and the names the dashboards and CONVENTIONS rely on.
 * (`otelcol-contrib validate --config otel-collector.yaml` checks the rest.)
 */
import { existsSync, readFileSync } from 'node:fs';
import {
  ATTR_AGENT_NAME,
  ATTR_COST_COMPUTE_USD,
  ATTR_COST_KIND,
  ATTR_COST_USD,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  COST_KIND_COMPUTE,
  COST_KIND_LLM,
  METRIC_COST_USD,
} from '@agentburn/core';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

type Components = Record<string, Record<string, unknown> | null>;
interface Pipeline {
  receivers?: string[];
  processors?: string[];
  exporters?: string[];
}
interface CollectorConfig {
  receivers: Components;
  processors: Components;
  exporters: Components;
  connectors: Components;
  service: { pipelines: Record<string, Pipeline> };
}
interface SpanMetric {
  name: string;
  unit?: string;
  conditions?: string[];
  attributes?: { key: string; default_value?: unknown; optional?: boolean }[];
  sum?: { value: string };
}

const text = readFileSync(new URL('../otel-collector.yaml', import.meta.url), 'utf8');
const config = parse(text) as CollectorConfig;
const pipelines = Object.entries(config.service.pipelines);
const typeOf = (id: string) => id.split('/')[0];
const costConnector = Object.entries(config.connectors).find(([id]) => typeOf(id) === 'signal_to_metrics');
const costMetric = (costConnector?.[1]?.spans as SpanMetric[] | undefined)?.find((m) => m.name === METRIC_COST_USD);

/**
 * The collector's Prometheus naming (otlptranslator): a unit not in its table
 * is appended as-is, a monotonic sum gets `_total`. Enough of it to show
 * what our metric is called in PromQL.
 */
function prometheusName(name: string, unit: string | undefined, monotonicSum: boolean): string {
  const known: Record<string, string> = { s: 'seconds', ms: 'milliseconds', By: 'bytes', '1': '' };
  const suffix = unit && !unit.includes('{') ? (known[unit] ?? unit) : '';
  const tokens = name.split(/[^A-Za-z0-9]+/).filter(Boolean);
  if (suffix && !tokens.includes(suffix)) tokens.push(suffix);
  if (monotonicSum && tokens.at(-1) !== 'total') tokens.push('total');
  return tokens.join('_');
}

describe('otel-collector.yaml', () => {
  it('every-pipeline-references-defined-components', () => {
    const missing: string[] = [];
    for (const [name, p] of pipelines) {
      for (const id of p.receivers ?? [])
        if (!(id in config.receivers) && !(id in config.connectors)) missing.push(`${name}: ${id}`);
      for (const id of p.processors ?? []) if (!(id in config.processors)) missing.push(`${name}: ${id}`);
      for (const id of p.exporters ?? [])
        if (!(id in config.exporters) && !(id in config.connectors)) missing.push(`${name}: ${id}`);
    }
    expect(missing).toEqual([]);
    expect(pipelines.every(([, p]) => (p.receivers?.length ?? 0) > 0 && (p.exporters?.length ?? 0) > 0)).toBe(true);
  });

  it('pipeline-signal-matches-its-name', () => {
    for (const [name] of pipelines) expect(['traces', 'metrics', 'logs']).toContain(name.split('/')[0]);
  });

  it('connectors-are-exporter-in-one-pipeline-and-receiver-in-another', () => {
    for (const id of Object.keys(config.connectors)) {
      const from = pipelines.filter(([, p]) => p.exporters?.includes(id)).map(([n]) => n);
      const to = pipelines.filter(([, p]) => p.receivers?.includes(id)).map(([n]) => n);
      expect(from.length, `${id} exported to`).toBeGreaterThan(0);
      expect(to.length, `${id} received from`).toBeGreaterThan(0);
      expect(
        from.every((n) => n.startsWith('traces')),
        `${id} reads spans`,
      ).toBe(true);
      expect(
        to.every((n) => n.startsWith('metrics')),
        `${id} feeds metrics`,
      ).toBe(true);
    }
  });

  it('only-the-optional-file-archive-is-unused', () => {
    const used = new Set(
      pipelines.flatMap(([, p]) => [...(p.receivers ?? []), ...(p.processors ?? []), ...(p.exporters ?? [])]),
    );
    const defined = [config.receivers, config.processors, config.exporters, config.connectors].flatMap(Object.keys);
    expect(defined.filter((id) => !used.has(id))).toEqual(['file/spans']);
    expect(config.exporters['file/spans']).toMatchObject({ format: 'json' });
  });

  it('receives-otlp-on-4317-and-4318-and-serves-prometheus-on-8889', () => {
    const otlp = config.receivers.otlp as { protocols: { grpc: { endpoint: string }; http: { endpoint: string } } };
    expect(otlp.protocols.grpc.endpoint).toMatch(/:4317$/);
    expect(otlp.protocols.http.endpoint).toMatch(/:4318$/);
    expect((config.exporters.prometheus as { endpoint: string }).endpoint).toMatch(/:8889$/);
    const traces = config.service.pipelines.traces;
    expect(traces?.exporters?.map((id) => (config.exporters[id] as { endpoint: string }).endpoint).sort()).toEqual([
      'jaeger:4317',
      'tempo:4317',
    ]);
  });

  it('derives-cost_usd-from-the-span-attribute-named-cost_usd_total-in-prometheus', () => {
    expect(costMetric).toBeDefined();
    expect(costMetric?.sum?.value).toBe(`Double(attributes["${ATTR_COST_USD}"])`);
    expect(costMetric?.conditions).toEqual([`attributes["${ATTR_COST_USD}"] != nil`]);
    expect(prometheusName(METRIC_COST_USD, costMetric?.unit, true)).toBe('cost_usd_total');
    // The trap a unit would spring: the translator appends it.
    expect(prometheusName(METRIC_COST_USD, 'USD', true)).toBe('cost_usd_USD_total');
  });

  it('cost-metric-dimensions-are-the-contract-dimensions-and-never-drop-a-span', () => {
    const attrs = costMetric?.attributes ?? [];
    expect(attrs.map((a) => a.key).sort()).toEqual(
      [ATTR_COST_KIND, ATTR_GEN_AI_PROVIDER_NAME, ATTR_GEN_AI_REQUEST_MODEL, ATTR_AGENT_NAME].sort(),
    );
    // A required attribute a span lacks would skip that span's cost entirely.
    expect(attrs.every((a) => a.optional === true || a.default_value !== undefined)).toBe(true);
  });

  it('cost-kind-is-derived-before-the-connector-from-the-compute-breakdown', () => {
    const [, pipeline] = pipelines.find(([, p]) => p.exporters?.includes(costConnector?.[0] ?? '')) ?? [];
    const statements = (pipeline?.processors ?? []).flatMap((id) =>
      ((config.processors[id]?.trace_statements as { statements: string[] }[] | undefined) ?? []).flatMap(
        (s) => s.statements,
      ),
    );
    expect(statements).toContainEqual(
      expect.stringContaining(
        `set(attributes["${ATTR_COST_KIND}"], "${COST_KIND_COMPUTE}") where attributes["${ATTR_COST_USD}"] != nil and attributes["${ATTR_COST_COMPUTE_USD}"] != nil`,
      ),
    );
    expect(statements).toContainEqual(
      expect.stringContaining(`set(attributes["${ATTR_COST_KIND}"], "${COST_KIND_LLM}") where`),
    );
    // The span stores get the spans as the app sent them.
    expect(config.service.pipelines.traces?.processors).toEqual(['memory_limiter', 'batch']);
  });

  it('memory-limiter-comes-first-wherever-otlp-data-enters', () => {
    for (const [name, p] of pipelines) {
      if (p.receivers?.includes('otlp')) expect(p.processors?.[0], name).toBe('memory_limiter');
    }
  });

  it('delta-sums-become-cumulative-before-prometheus', () => {
    for (const [name, p] of pipelines) {
      if (!p.exporters?.includes('prometheus')) continue;
      expect(p.processors, name).toContain('deltatocumulative');
    }
  });

  it('drops-the-sdk-cost-counter-so-no-dollar-is-counted-twice', () => {
    const appMetrics = pipelines.find(([, p]) => p.receivers?.includes('otlp') && p.exporters?.includes('prometheus'));
    const filters = (appMetrics?.[1].processors ?? []).filter((id) => typeOf(id) === 'filter');
    const dropped = filters.flatMap(
      (id) => ((config.processors[id]?.metrics as { metric?: string[] } | undefined)?.metric ?? []) as string[],
    );
    expect(dropped).toContain(`name == "${METRIC_COST_USD}"`);
  });
});

describe('examples/observability', () => {
  const dir = new URL('../examples/observability/', import.meta.url);
  const read = (path: string) => readFileSync(new URL(path, dir), 'utf8');
  const compose = parse(read('docker-compose.yaml')) as {
    services: Record<string, { image: string; volumes?: string[]; ports?: string[] }>;
  };

  it('compose-mounts-files-that-exist-including-the-root-collector-config', () => {
    const mounts = Object.values(compose.services).flatMap((s) => s.volumes ?? []);
    const files = mounts.map((m) => m.split(':')[0] ?? '').filter((src) => src.startsWith('.'));
    expect(files).toContain('../../otel-collector.yaml');
    for (const src of files) expect(existsSync(new URL(src, dir)), src).toBe(true);
  });

  it('collector-exports-to-the-compose-services', () => {
    const hosts = Object.values(config.exporters)
      .map((e) => (e as { endpoint?: string } | null)?.endpoint?.split(':')[0])
      .filter((h): h is string => h !== undefined && h !== '0.0.0.0');
    for (const host of hosts) expect(Object.keys(compose.services)).toContain(host);
    expect(compose.services['otel-collector']?.ports).toEqual(['4317:4317', '4318:4318', '8889:8889']);
  });

  it('prometheus-scrapes-the-collector-exporter-keeping-its-labels', () => {
    const prom = parse(read('prometheus.yml')) as {
      scrape_configs: { honor_labels?: boolean; static_configs: { targets: string[] }[] }[];
    };
    const port = (config.exporters.prometheus as { endpoint: string }).endpoint.split(':').at(-1);
    expect(prom.scrape_configs[0]?.static_configs[0]?.targets).toEqual([`otel-collector:${port}`]);
    expect(prom.scrape_configs[0]?.honor_labels).toBe(true);
  });

  it('dashboard-datasources-are-provisioned', () => {
    const provisioned = parse(read('grafana/provisioning/datasources/datasources.yaml')) as {
      datasources: { uid: string; type: string }[];
    };
    const dashboard = JSON.parse(read('grafana/dashboards/agentburn.json')) as {
      panels: { datasource: { uid: string; type: string }; targets: { datasource: { uid: string; type: string } }[] }[];
    };
    const used = dashboard.panels.flatMap((p) => [p.datasource, ...p.targets.map((t) => t.datasource)]);
    for (const ds of used) expect(provisioned.datasources).toContainEqual(expect.objectContaining(ds));
  });

  it('trace-panels-query-the-contract-attributes', () => {
    const dashboard = JSON.parse(read('grafana/dashboards/agentburn.json')) as {
      panels: { title: string; targets: { query?: string }[] }[];
    };
    const traceql = dashboard.panels.flatMap((p) => p.targets.flatMap((t) => (t.query ? [t.query] : [])));
    expect(traceql).toContain(`{ span.${ATTR_COST_USD} > 0 } | sum(span.${ATTR_COST_USD}) > $min_trace_usd`);
    expect(traceql.some((q) => q.includes('span.agentburn.cost.status = "unpriced"'))).toBe(true);
  });
});
