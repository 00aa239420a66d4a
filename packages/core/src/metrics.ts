import {
  type Attributes,
  type Counter,
  type Histogram,
  type Meter,
  type MeterProvider,
  metrics,
} from '@opentelemetry/api';
import {
  ATTR_AGENT_NAME,
  ATTR_COST_KIND,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_RESPONSE_MODEL,
  ATTR_GEN_AI_TOKEN_TYPE,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  GEN_AI_TOKEN_TYPE_INPUT,
  GEN_AI_TOKEN_TYPE_OUTPUT,
  METRIC_COST_USD,
  METRIC_GEN_AI_CLIENT_OPERATION_DURATION,
  METRIC_GEN_AI_CLIENT_TOKEN_USAGE,
} from './semconv';

/** Instrumentation scope of the metrics and spans `@agentburn/core` itself emits. */
export const CORE_SCOPE_NAME = '@agentburn/core';

// Bucket boundaries advised by the GenAI semantic conventions.
const TOKEN_USAGE_BUCKETS = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864];
const DURATION_BUCKETS = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92];

export type CostKind = 'llm' | 'compute';

/**
 * The `cost_usd` counter, recorded by the CostSpanProcessor for every priced
 * span. The meter is resolved at the first priced span, so a global
 * MeterProvider registered after the processor was built is still used.
 * Without any MeterProvider the API's no-op meter makes this free.
 */
export class CostMetrics {
  private counter: Counter | undefined;
  // One frozen attribute set per (kind, provider, model, agent), reused for
  // every span: no allocation or string building on the hot path.
  private readonly attributeSets = new Map<string, Map<string, Map<string, Map<string, Attributes>>>>();
  private cachedSets = 0;
  // The last set handed out: a run of spans of one model and agent skips the maps.
  private last: { kind: string; provider: string; model: string; agent: string; attributes: Attributes } | undefined;

  constructor(private readonly meterProvider?: MeterProvider) {}

  record(kind: CostKind, usd: number, provider?: string, model?: string, agent?: string): void {
    if (!(usd >= 0) || !Number.isFinite(usd)) return;
    this.counter ??= (this.meterProvider ?? metrics.getMeterProvider())
      .getMeter(CORE_SCOPE_NAME)
      .createCounter(METRIC_COST_USD, {
        unit: 'USD',
        description: 'Spend of LLM inference calls and sandbox compute, in US dollars.',
      });
    this.counter.add(usd, this.attributesFor(kind, provider ?? '', model ?? '', agent ?? ''));
  }

  private attributesFor(kind: CostKind, provider: string, model: string, agent: string): Attributes {
    const last = this.last;
    if (
      last !== undefined &&
      last.kind === kind &&
      last.provider === provider &&
      last.model === model &&
      last.agent === agent
    ) {
      return last.attributes;
    }
    const attributes = this.lookupSet(kind, provider, model, agent);
    this.last = { kind, provider, model, agent, attributes };
    return attributes;
  }

  private lookupSet(kind: CostKind, provider: string, model: string, agent: string): Attributes {
    const byAgent = level(level(level(this.attributeSets, kind), provider), model);
    let attributes = byAgent.get(agent);
    if (attributes === undefined) {
      const fresh: Attributes = { [ATTR_COST_KIND]: kind };
      if (provider !== '') fresh[ATTR_GEN_AI_PROVIDER_NAME] = provider;
      if (model !== '') fresh[ATTR_GEN_AI_REQUEST_MODEL] = model;
      if (agent !== '') fresh[ATTR_AGENT_NAME] = agent;
      attributes = Object.freeze(fresh);
      // Bounded: model and agent names come from telemetry, not from a fixed list.
      if (++this.cachedSets > 1024) {
        this.attributeSets.clear();
        this.cachedSets = 1;
        return attributes;
      }
      byAgent.set(agent, attributes);
    }
    return attributes;
  }
}

function level<V>(map: Map<string, V>, key: string): V {
  let next = map.get(key);
  if (next === undefined) {
    next = new Map() as V;
    map.set(key, next);
  }
  return next;
}

/** The GenAI client histograms, created once per meter. */
export interface GenAiClientInstruments {
  tokenUsage: Histogram;
  operationDuration: Histogram;
}

const instrumentsByMeter = new WeakMap<Meter, GenAiClientInstruments>();

export function genAiClientInstruments(meter: Meter): GenAiClientInstruments {
  let instruments = instrumentsByMeter.get(meter);
  if (instruments === undefined) {
    instruments = {
      tokenUsage: meter.createHistogram(METRIC_GEN_AI_CLIENT_TOKEN_USAGE, {
        unit: '{token}',
        description: 'Number of input and output tokens used.',
        advice: { explicitBucketBoundaries: TOKEN_USAGE_BUCKETS },
      }),
      operationDuration: meter.createHistogram(METRIC_GEN_AI_CLIENT_OPERATION_DURATION, {
        unit: 's',
        description: 'GenAI operation duration.',
        advice: { explicitBucketBoundaries: DURATION_BUCKETS },
      }),
    };
    instrumentsByMeter.set(meter, instruments);
  }
  return instruments;
}

/** Token counts for the `gen_ai.client.token.usage` histogram. */
export interface TokenCounts {
  inputTokens?: number;
  outputTokens?: number;
}

/** The low-cardinality span attributes the GenAI client histograms carry. */
export const GEN_AI_CLIENT_METRIC_KEYS: readonly string[] = [
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_RESPONSE_MODEL,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
];

/** The token counts of a span's usage attributes, or undefined when it has none. */
export function tokenCountsOf(attributes: Attributes | undefined): TokenCounts | undefined {
  const input = attributes?.[ATTR_GEN_AI_USAGE_INPUT_TOKENS];
  const output = attributes?.[ATTR_GEN_AI_USAGE_OUTPUT_TOKENS];
  if (typeof input !== 'number' && typeof output !== 'number') return undefined;
  const counts: TokenCounts = {};
  if (typeof input === 'number') counts.inputTokens = input;
  if (typeof output === 'number') counts.outputTokens = output;
  return counts;
}

/**
 * Records `gen_ai.client.operation.duration` and, when usage is known,
 * `gen_ai.client.token.usage` (one point per token type). Called by the
 * instrumentations when their span ends (the processor does not record these,
 * so a span is never counted twice). `attributes` are the low-cardinality
 * request attributes: `gen_ai.operation.name`, `gen_ai.provider.name`,
 * `gen_ai.request.model`, `gen_ai.response.model`, `server.address`,
 * `server.port`, and `error.type` on failure. Never throws.
 */
export function recordGenAiClientMetrics(
  meter: Meter,
  attributes: Attributes,
  usage: TokenCounts | undefined,
  durationSeconds: number,
): void {
  try {
    const { tokenUsage, operationDuration } = genAiClientInstruments(meter);
    if (Number.isFinite(durationSeconds) && durationSeconds >= 0) operationDuration.record(durationSeconds, attributes);
    if (usage === undefined) return;
    if (isCount(usage.inputTokens)) {
      tokenUsage.record(usage.inputTokens, { ...attributes, [ATTR_GEN_AI_TOKEN_TYPE]: GEN_AI_TOKEN_TYPE_INPUT });
    }
    if (isCount(usage.outputTokens)) {
      tokenUsage.record(usage.outputTokens, { ...attributes, [ATTR_GEN_AI_TOKEN_TYPE]: GEN_AI_TOKEN_TYPE_OUTPUT });
    }
  } catch {
    // metrics are best effort
  }
}

function isCount(value: number | undefined): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}
