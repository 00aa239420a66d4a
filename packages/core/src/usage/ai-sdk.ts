import type { Attributes } from '@opentelemetry/api';
import type { LlmCall } from '../types';
import { readGenAi } from './genai';
import { normaliseProvider } from './provider';
import { makeCall, normaliseUsage, readCount, readFirstCount, readString } from './read';

// Vercel AI SDK (v4-v6) telemetry names.
const ATTR_OPERATION_ID = 'ai.operationId';
const ATTR_MODEL_ID = 'ai.model.id';
const ATTR_MODEL_PROVIDER = 'ai.model.provider';
const ATTR_RESPONSE_MODEL = 'ai.response.model';
const ATTR_RESPONSE_ID = 'ai.response.id';
const ATTR_PROVIDER_METADATA = 'ai.response.providerMetadata';
const INPUT_KEYS = ['ai.usage.inputTokens', 'ai.usage.promptTokens', 'ai.usage.tokens'];
const OUTPUT_KEYS = ['ai.usage.outputTokens', 'ai.usage.completionTokens'];
const ATTR_CACHE_READ_V6 = 'ai.usage.inputTokenDetails.cacheReadTokens';
const ATTR_CACHE_WRITE_V6 = 'ai.usage.inputTokenDetails.cacheWriteTokens';
const ATTR_NO_CACHE_V6 = 'ai.usage.inputTokenDetails.noCacheTokens';
const ATTR_CACHED_INPUT_V5 = 'ai.usage.cachedInputTokens';
const REASONING_KEYS = ['ai.usage.outputTokenDetails.reasoningTokens', 'ai.usage.reasoningTokens'];

/** Provider metadata larger than this is not parsed (it can carry whole responses). */
const MAX_METADATA_CHARS = 64 * 1024;

/** Inference leaves: `ai.generateText.doGenerate`, `ai.streamText.doStream`, `ai.embed.doEmbed`, ... */
const LEAF_SUFFIX = /\.do(Generate|Stream|Embed)$/;

/** v4-v6 name their spans after the operation id: `ai.generateText`, `ai.generateText.doGenerate`, `ai.toolCall`. */
export function isAiSdkSpan(spanName: string): boolean {
  return spanName.startsWith('ai.');
}

/** v7 spans follow GenAI semconv (`chat {model}`) under the tracer scope `ai`, with AI SDK extras. */
export function isAiSdkV7Span(attributes: Attributes, scopeName: string | undefined): boolean {
  return (
    scopeName === 'ai' ||
    attributes[ATTR_PROVIDER_METADATA] !== undefined ||
    attributes[ATTR_MODEL_PROVIDER] !== undefined
  );
}

export function isAiSdkInference(spanName: string, attributes: Attributes): boolean {
  const operation = readString(attributes, ATTR_OPERATION_ID) ?? spanName;
  return LEAF_SUFFIX.test(operation) || LEAF_SUFFIX.test(spanName);
}

type Metadata = Record<string, Record<string, unknown> | undefined>;

function parseMetadata(attributes: Attributes, issues: string[]): Metadata | undefined {
  const raw = attributes[ATTR_PROVIDER_METADATA];
  if (typeof raw !== 'string' || raw.length > MAX_METADATA_CHARS) return undefined;
  try {
    const parsed: unknown = JSON.parse(raw);
    return typeof parsed === 'object' && parsed !== null ? (parsed as Metadata) : undefined;
  } catch {
    issues.push(`${ATTR_PROVIDER_METADATA} is not valid JSON`);
    return undefined;
  }
}

function nonNegative(value: unknown): number | undefined {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof n === 'number' && Number.isFinite(n) && n >= 0 ? n : undefined;
}

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
}

/** Cost the provider reported: OpenRouter `usage.cost`, Vercel AI Gateway `cost` (a decimal string). */
function providerCost(metadata: Metadata | undefined): number | undefined {
  if (metadata === undefined) return undefined;
  return nonNegative(record(metadata.openrouter?.usage)?.cost) ?? nonNegative(metadata.gateway?.cost);
}

/** A v7 `chat {model}` span: GenAI semconv usage (cache-inclusive) plus the provider-reported cost. */
export function readAiSdkV7(attributes: Attributes): LlmCall {
  const call = readGenAi(attributes, 'ai-sdk');
  const cost = providerCost(parseMetadata(attributes, call.issues));
  if (cost !== undefined) call.providerCostUsd = cost;
  return call;
}

/**
 * Vercel AI SDK `ai.*.doGenerate` / `ai.*.doStream` spans. v6 writes the
 * cache-inclusive total in `ai.usage.inputTokens` with its parts under
 * `ai.usage.inputTokenDetails.*`. Before v6, the Anthropic provider reported
 * Anthropic's raw `input_tokens` (cache excluded) and put cache writes only
 * in provider metadata, so those are added back; other providers' input was
 * already inclusive.
 */
export function readAiSdk(attributes: Attributes): LlmCall {
  const issues: string[] = [];
  const metadata = parseMetadata(attributes, issues);
  const provider = normaliseProvider(readString(attributes, ATTR_MODEL_PROVIDER));
  const v6 =
    attributes[ATTR_CACHE_READ_V6] !== undefined ||
    attributes[ATTR_CACHE_WRITE_V6] !== undefined ||
    attributes[ATTR_NO_CACHE_V6] !== undefined;
  const anthropic = record(metadata?.anthropic);
  const cacheInclusive = v6 || !(provider === 'anthropic' || provider?.endsWith('anthropic'));
  const usage = normaliseUsage(
    {
      input: readFirstCount(attributes, INPUT_KEYS, issues),
      output: readFirstCount(attributes, OUTPUT_KEYS, issues),
      cacheRead: readFirstCount(attributes, [ATTR_CACHE_READ_V6, ATTR_CACHED_INPUT_V5], issues),
      cacheWrite: v6
        ? readCount(attributes, ATTR_CACHE_WRITE_V6, issues)
        : nonNegative(anthropic?.cacheCreationInputTokens),
      cacheWrite1h: nonNegative(record(record(anthropic?.usage)?.cache_creation)?.ephemeral_1h_input_tokens),
      reasoning: readFirstCount(attributes, REASONING_KEYS, issues),
    },
    cacheInclusive,
    issues,
  );
  const tier = record(metadata?.openai)?.serviceTier;
  return makeCall(
    'ai-sdk',
    {
      provider,
      requestModel: readString(attributes, ATTR_MODEL_ID),
      responseModel: readString(attributes, ATTR_RESPONSE_MODEL),
      responseId: readString(attributes, ATTR_RESPONSE_ID),
      serviceTier: typeof tier === 'string' && tier !== '' ? tier : undefined,
      providerCostUsd: providerCost(metadata),
    },
    usage,
    issues,
  );
}
