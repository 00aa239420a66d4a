import type { Attributes } from '@opentelemetry/api';
import type { LlmCall, Usage, UsageSource } from '../types';

/**
 * Reads one token count. Absent -> undefined. Malformed values never throw:
 * a numeric string is used (sources that round-trip through JSON send them)
 * and a non-numeric, non-finite or negative value counts as absent; both push
 * a short cause to `issues`.
 */
export function readCount(attributes: Attributes, key: string, issues: string[]): number | undefined {
  const value = attributes[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'number') {
    if (Number.isFinite(value) && value >= 0) return value;
    issues.push(`${key} is ${Number.isNaN(value) ? 'NaN' : value < 0 ? 'negative' : 'not finite'}`);
    return undefined;
  }
  if (typeof value === 'string' && value.trim() !== '') {
    const parsed = Number(value);
    if (Number.isFinite(parsed) && parsed >= 0) {
      issues.push(`${key} is a string`);
      return parsed;
    }
  }
  issues.push(`${key} is not a number`);
  return undefined;
}

/** The first of `keys` that holds a count (later keys are older names of the same figure). */
export function readFirstCount(attributes: Attributes, keys: readonly string[], issues: string[]): number | undefined {
  for (const key of keys) {
    if (attributes[key] !== undefined) {
      const value = readCount(attributes, key, issues);
      if (value !== undefined) return value;
    }
  }
  return undefined;
}

export function readString(attributes: Attributes, key: string): string | undefined {
  const value = attributes[key];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

export function readFirstString(attributes: Attributes, keys: readonly string[]): string | undefined {
  for (const key of keys) {
    const value = readString(attributes, key);
    if (value !== undefined) return value;
  }
  return undefined;
}

/** Token figures as a source reports them, before normalisation. */
export interface RawUsage {
  input?: number;
  output?: number;
  cacheRead?: number;
  cacheWrite?: number;
  cacheWrite1h?: number;
  reasoning?: number;
}

/**
 * Normalises a source's figures to our `Usage`: input cache-INCLUSIVE, every
 * part no larger than its whole. `cacheInclusive` says whether the source's
 * input already counts cached reads and writes (OpenAI: yes; Anthropic's raw
 * API: no). Inconsistent parts push an issue and widen the whole.
 */
export function normaliseUsage(raw: RawUsage, cacheInclusive: boolean, issues: string[]): Usage {
  return normaliseCounts(
    raw.input,
    raw.output,
    raw.cacheRead,
    raw.cacheWrite,
    raw.cacheWrite1h,
    raw.reasoning,
    cacheInclusive,
    issues,
  );
}

/** `normaliseUsage` on separate figures: the hot path of our own spans builds no RawUsage. */
export function normaliseCounts(
  rawInput: number | undefined,
  rawOutput: number | undefined,
  rawCacheRead: number | undefined,
  rawCacheWrite: number | undefined,
  rawCacheWrite1h: number | undefined,
  rawReasoning: number | undefined,
  cacheInclusive: boolean,
  issues: string[],
): Usage {
  const cacheRead = rawCacheRead ?? 0;
  let cacheWrite1h = rawCacheWrite1h ?? 0;
  let cacheWrite = rawCacheWrite ?? 0;
  if (cacheWrite1h > cacheWrite) {
    if (rawCacheWrite !== undefined) issues.push('1-hour cache writes exceed cache writes');
    cacheWrite = cacheWrite1h;
  }
  let input = rawInput ?? 0;
  if (!cacheInclusive) input += cacheRead + cacheWrite;
  if (cacheRead + cacheWrite > input) {
    issues.push('cache tokens exceed input tokens');
    input = cacheRead + cacheWrite;
  }
  let reasoning = rawReasoning ?? 0;
  let output = rawOutput ?? 0;
  if (reasoning > output) {
    if (rawOutput !== undefined) issues.push('reasoning tokens exceed output tokens');
    output = reasoning;
  }
  cacheWrite1h = Math.min(cacheWrite1h, cacheWrite);
  reasoning = Math.min(reasoning, output);
  return {
    inputTokens: input,
    outputTokens: output,
    cacheReadTokens: cacheRead,
    cacheWriteTokens: cacheWrite,
    cacheWrite1hTokens: cacheWrite1h,
    reasoningTokens: reasoning,
  };
}

/** What a span says about the call besides its usage. */
export interface CallIdentity {
  provider?: string | undefined;
  requestModel?: string | undefined;
  responseModel?: string | undefined;
  responseId?: string | undefined;
  serviceTier?: string | undefined;
  providerCostUsd?: number | undefined;
}

/**
 * Builds an LlmCall. Every call object has the same shape (fields the span did
 * not give are `undefined`), which keeps the processor's hot path monomorphic.
 */
export function makeCall(source: UsageSource, identity: CallIdentity, usage: Usage, issues: string[]): LlmCall {
  return {
    source,
    provider: identity.provider,
    requestModel: identity.requestModel,
    responseModel: identity.responseModel,
    responseId: identity.responseId,
    serviceTier: identity.serviceTier,
    usage,
    providerCostUsd: identity.providerCostUsd,
    estimated: false,
    issues,
  };
}
