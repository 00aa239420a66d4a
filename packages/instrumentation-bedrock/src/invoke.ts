import {
  ATTR_GEN_AI_INPUT_MESSAGES,
  ATTR_GEN_AI_RESPONSE_FINISH_REASONS,
  ATTR_GEN_AI_RESPONSE_ID,
  ATTR_GEN_AI_SYSTEM_INSTRUCTIONS,
} from '@agentburn/core';
import type { Attributes } from '@opentelemetry/api';
import { outputMessages, toParts } from './converse';
import { type BedrockUsage, count, invocationMetricsUsage, isObject, type JsonObject, usageAttributes } from './usage';

/** The model's own JSON response body of an InvokeModel call, or undefined when it is not JSON. */
export function parseBody(bytes: unknown): JsonObject | undefined {
  try {
    // The SDK takes a body as a string or bytes in any form: an ArrayBuffer or any view of one.
    const text =
      typeof bytes === 'string'
        ? bytes
        : bytes instanceof ArrayBuffer || ArrayBuffer.isView(bytes)
          ? new TextDecoder().decode(bytes as Uint8Array)
          : undefined;
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

export function invokeResponseAttributes(body: JsonObject | undefined, captureContent: boolean): Attributes {
  if (!body) return {};
  const facts = invokeBodyFacts(body);
  const attributes = factsAttributes(facts);
  const content = captureContent ? invokeOutputContent(body) : undefined;
  if (content !== undefined) Object.assign(attributes, outputMessages(content, facts.stopReason));
  return attributes;
}

/**
 * Prompt and system content of an InvokeModel body, in the GenAI message
 * shape: Anthropic and Nova `messages` and `system`, Meta `prompt`, Titan
 * `inputText`. Only called when capture is on.
 */
export function invokeInputAttributes(body: JsonObject | undefined): Attributes {
  const attributes: Attributes = {};
  if (!body) return attributes;
  const prompt = body.prompt ?? body.inputText;
  const messages = Array.isArray(body.messages)
    ? body.messages.filter(isObject).map((m) => ({ role: String(m.role), parts: toParts(m.content) }))
    : typeof prompt === 'string'
      ? [{ role: 'user', parts: toParts(prompt) }]
      : undefined;
  if (messages !== undefined) attributes[ATTR_GEN_AI_INPUT_MESSAGES] = JSON.stringify(messages);
  if (body.system !== undefined) attributes[ATTR_GEN_AI_SYSTEM_INSTRUCTIONS] = JSON.stringify(toParts(body.system));
  return attributes;
}

/** The reply's content blocks: Anthropic `content`, Nova `output.message.content`, Meta `generation`, Titan `results[0].outputText`. */
function invokeOutputContent(body: JsonObject): unknown[] | undefined {
  if (Array.isArray(body.content)) return body.content;
  if (Array.isArray(body.output?.message?.content)) return body.output.message.content;
  const text = body.generation ?? (Array.isArray(body.results) ? body.results[0]?.outputText : undefined);
  return typeof text === 'string' ? [{ text }] : undefined;
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
  /** Content blocks by index, when capture is on. */
  private readonly blocks = new Map<number, JsonObject>();

  constructor(private readonly captureContent: boolean) {}

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
    const attributes = factsAttributes(facts);
    if (this.blocks.size > 0) {
      const content = [...this.blocks.entries()].sort(([a], [b]) => a - b).map(([, block]) => block);
      Object.assign(attributes, outputMessages(content, facts.stopReason));
    }
    return attributes;
  }

  private addModelEvent(chunk: JsonObject): void {
    if (this.captureContent) this.addContent(chunk);
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

  /**
   * Text and tool input of each family's stream: Anthropic `content_block_*`
   * events, Nova `contentBlockDelta`, Meta `generation` and Titan
   * `outputText` pieces.
   */
  private addContent(chunk: JsonObject): void {
    const append = (index: number, text: string) => {
      const block = this.blocks.get(index) ?? {};
      block.text = `${block.text ?? ''}${text}`;
      this.blocks.set(index, block);
    };
    if (chunk.type === 'content_block_start' && chunk.content_block?.type === 'tool_use') {
      const { id, name } = chunk.content_block;
      this.blocks.set(chunk.index, { type: 'tool_use', id, name, input: '' });
    } else if (chunk.type === 'content_block_delta' && typeof chunk.index === 'number') {
      const delta = isObject(chunk.delta) ? chunk.delta : {};
      const block = this.blocks.get(chunk.index);
      if (typeof delta.text === 'string') append(chunk.index, delta.text);
      else if (typeof delta.partial_json === 'string' && block?.type === 'tool_use') block.input += delta.partial_json;
    } else if (isObject(chunk.contentBlockDelta) && typeof chunk.contentBlockDelta.delta?.text === 'string') {
      append(Number(chunk.contentBlockDelta.contentBlockIndex) || 0, chunk.contentBlockDelta.delta.text);
    } else if (typeof chunk.generation === 'string') {
      append(0, chunk.generation);
    } else if (typeof chunk.outputText === 'string') {
      append(0, chunk.outputText);
    }
  }
}
