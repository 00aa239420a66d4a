import { ATTR_GEN_AI_RESPONSE_FINISH_REASONS, ATTR_GEN_AI_RESPONSE_ID } from '@agentburn/core';
import type { Attributes } from '@opentelemetry/api';
import { type BedrockUsage, count, invocationMetricsUsage, isObject, type JsonObject, usageAttributes } from './usage';

/** The model's own JSON response body of an InvokeModel call, or undefined when it is not JSON. */
export function parseBody(bytes: unknown): JsonObject | undefined {
  try {
    const text =
      typeof bytes === 'string' ? bytes : bytes instanceof Uint8Array ? new TextDecoder().decode(bytes) : undefined;
    const parsed = text === undefined ? undefined : JSON.parse(text);
    return isObject(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** What one model family's body says: identity, stop reason, usage. */
interface BodyFacts {
  id?: string;
  stopReason?: string;
  usage: BedrockUsage;
}

/**
 * Usage of an InvokeModel body, in each family's own shape:
 * - Anthropic Messages (`usage.input_tokens`, cache fields, `output_tokens`);
 * - Amazon Nova (`usage.inputTokens`, `cacheReadInputTokenCount`, ...);
 * - Meta Llama (`prompt_token_count`, `generation_token_count`);
 * - Amazon Titan text and embeddings (`inputTextTokenCount`, `results[].tokenCount`).
 */
export function invokeBodyFacts(body: JsonObject): BodyFacts {
  const usage = isObject(body.usage) ? body.usage : undefined;
  if (usage && (usage.input_tokens !== undefined || usage.output_tokens !== undefined)) {
    // The body's `model` is left out: it names the Anthropic model, not the
    // inference profile (regional or global) that Bedrock bills by.
    return {
      id: typeof body.id === 'string' ? body.id : undefined,
      stopReason: typeof body.stop_reason === 'string' ? body.stop_reason : undefined,
      usage: anthropicUsage(usage),
    };
  }
  if (usage && (usage.inputTokens !== undefined || usage.outputTokens !== undefined)) {
    return {
      stopReason: typeof body.stopReason === 'string' ? body.stopReason : undefined,
      usage: novaUsage(usage),
    };
  }
  if (body.prompt_token_count !== undefined || body.generation_token_count !== undefined) {
    return {
      stopReason: typeof body.stop_reason === 'string' ? body.stop_reason : undefined,
      usage: { uncachedInput: count(body.prompt_token_count), output: count(body.generation_token_count) },
    };
  }
  if (body.inputTextTokenCount !== undefined) {
    const results = Array.isArray(body.results) ? body.results.filter(isObject) : [];
    const output = results.length > 0 ? results.reduce((sum, r) => sum + (count(r.tokenCount) ?? 0), 0) : undefined;
    const stopReason = results.find((r) => typeof r.completionReason === 'string')?.completionReason;
    return { stopReason, usage: { uncachedInput: count(body.inputTextTokenCount), output } };
  }
  return { usage: {} };
}

export function invokeResponseAttributes(body: JsonObject | undefined): Attributes {
  return body ? factsAttributes(invokeBodyFacts(body)) : {};
}

function factsAttributes(facts: BodyFacts): Attributes {
  const attributes = usageAttributes(facts.usage);
  if (facts.id !== undefined) attributes[ATTR_GEN_AI_RESPONSE_ID] = facts.id;
  if (facts.stopReason !== undefined) attributes[ATTR_GEN_AI_RESPONSE_FINISH_REASONS] = [facts.stopReason];
  return attributes;
}

function anthropicUsage(usage: JsonObject): BedrockUsage {
  const split = isObject(usage.cache_creation) ? usage.cache_creation : undefined;
  return {
    uncachedInput: count(usage.input_tokens),
    cacheRead: count(usage.cache_read_input_tokens),
    cacheWrite: count(usage.cache_creation_input_tokens),
    cacheWrite1h: count(split?.ephemeral_1h_input_tokens),
    output: count(usage.output_tokens),
  };
}

function novaUsage(usage: JsonObject): BedrockUsage {
  return {
    uncachedInput: count(usage.inputTokens),
    cacheRead: count(usage.cacheReadInputTokenCount),
    cacheWrite: count(usage.cacheWriteInputTokenCount),
    output: count(usage.outputTokens),
  };
}

/**
 * Follows an InvokeModelWithResponseStream: each `chunk` event's bytes are
 * one JSON event of the model's own stream (Anthropic `message_start` /
 * `message_delta`, Nova `messageStop` / `metadata`, Llama `generation`
 * chunks). The last chunk carries `amazon-bedrock-invocationMetrics`, the
 * token counts Bedrock bills, which win over the model's own figures.
 */
export class InvokeStreamAccumulator {
  private facts: BodyFacts = { usage: {} };
  private metrics: BedrockUsage | undefined;
  private sawStop = false;

  /** True once the stream's final figures arrived. */
  get final(): boolean {
    return this.metrics !== undefined || this.sawStop;
  }

  add(event: unknown): void {
    if (!isObject(event) || !isObject(event.chunk)) return;
    const chunk = parseBody(event.chunk.bytes);
    if (!chunk) return;
    const metrics = chunk['amazon-bedrock-invocationMetrics'];
    if (isObject(metrics)) this.metrics = invocationMetricsUsage(metrics);
    this.addModelEvent(chunk);
  }

  attributes(): Attributes {
    const facts = this.metrics ? { ...this.facts, usage: this.metrics } : this.facts;
    return factsAttributes(facts);
  }

  private addModelEvent(chunk: JsonObject): void {
    const facts = this.facts;
    switch (chunk.type) {
      case 'message_start': {
        const message = isObject(chunk.message) ? chunk.message : {};
        if (typeof message.id === 'string') facts.id = message.id;
        // The output count here is a placeholder; message_delta brings the real one.
        if (isObject(message.usage)) facts.usage = { ...anthropicUsage(message.usage), output: undefined };
        return;
      }
      case 'message_delta': {
        if (typeof chunk.delta?.stop_reason === 'string') facts.stopReason = chunk.delta.stop_reason;
        if (isObject(chunk.usage)) {
          const update = anthropicUsage(chunk.usage);
          for (const key of Object.keys(update) as Array<keyof BedrockUsage>) {
            if (update[key] !== undefined) facts.usage[key] = update[key];
          }
        }
        this.sawStop = true;
        return;
      }
    }
    if (isObject(chunk.messageStop) && typeof chunk.messageStop.stopReason === 'string') {
      facts.stopReason = chunk.messageStop.stopReason;
    }
    if (isObject(chunk.metadata) && isObject(chunk.metadata.usage)) {
      facts.usage = novaUsage(chunk.metadata.usage);
      this.sawStop = true;
    }
    if (count(chunk.prompt_token_count) !== undefined) facts.usage.uncachedInput = chunk.prompt_token_count;
    if (count(chunk.generation_token_count) !== undefined) facts.usage.output = chunk.generation_token_count;
    if (typeof chunk.stop_reason === 'string') {
      facts.stopReason = chunk.stop_reason;
      this.sawStop = true;
    }
  }
}
