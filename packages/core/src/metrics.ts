import {
  type Attributes,
  type Counter,
  createNoopMeter,
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

/** The API's no-op counter (one shared instance): recording on it does nothing. */
const NOOP_COUNTER = createNoopMeter().createCounter(METRIC_COST_USD);

/**
 * The `cost_usd` counter, recorded by the CostSpanProcessor for every priced
 * span. The meter is resolved at the first priced span, so a global
 * MeterProvider registered after the processor was built is still used.
 * Without any MeterProvider the API's no-op meter makes this free.
 */
export class CostMetrics {
  private counter: Counter | undefined;

  constructor(private readonly meterProvider?: MeterProvider) {}

  record(kind: CostKind, usd: number, provider?: string, model?: string, agent?: string): void {
    if (!(usd >= 0) || !Number.isFinite(usd)) return;
    this.counter ??= (this.meterProvider ?? metrics.getMeterProvider())
      .getMeter(CORE_SCOPE_NAME)
      .createCounter(METRIC_COST_USD, {
        unit: 'USD',
        description: 'Spend of LLM inference calls and sandbox compute, in US dollars.',
      });
    // Without a metrics SDK, skip building the attribute set nobody reads.
    if (this.counter === NOOP_COUNTER) return;
    const attributes: Attributes = { [ATTR_COST_KIND]: kind };
    if (provider) attributes[ATTR_GEN_AI_PROVIDER_NAME] = provider;
    if (model) attributes[ATTR_GEN_AI_REQUEST_MODEL] = model;
    if (agent) attributes[ATTR_AGENT_NAME] = agent;
    this.counter.add(usd, attributes);
  }
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
