import {
  ATTR_GEN_AI_INPUT_MESSAGES,
  ATTR_GEN_AI_OUTPUT_MESSAGES,
  ATTR_GEN_AI_RESPONSE_FINISH_REASONS,
  ATTR_GEN_AI_SYSTEM_INSTRUCTIONS,
} from '@agentburn/core';
import type { Attributes } from '@opentelemetry/api';
import { converseUsage, isObject, type JsonObject, usageAttributes } from './usage';

/** Usage and stop reason of a Converse response, with its content when capture is on. */
export function converseResponseAttributes(output: JsonObject, captureContent: boolean): Attributes {
  const attributes = usageAttributes(converseUsage(output.usage));
  if (typeof output.stopReason === 'string') attributes[ATTR_GEN_AI_RESPONSE_FINISH_REASONS] = [output.stopReason];
  const content = output.output?.message?.content;
  if (captureContent && Array.isArray(content)) Object.assign(attributes, outputMessages(content, output.stopReason));
  return attributes;
}

/**
 * Follows a ConverseStream: `messageStop` carries the stop reason, the closing
 * `metadata` event the usage; text and tool input arrive in deltas.
 */
export class ConverseStreamAccumulator {
  private usage: JsonObject | undefined;
  private stopReason: string | undefined;
  private readonly blocks = new Map<number, JsonObject>();

  constructor(private readonly captureContent: boolean) {}

  /** True once the stream's usage arrived. */
  get final(): boolean {
    return this.usage !== undefined;
  }

  add(event: unknown): void {
    if (!isObject(event)) return;
    if (isObject(event.metadata)) this.usage = event.metadata.usage;
    else if (isObject(event.messageStop)) this.stopReason = event.messageStop.stopReason;
    else if (this.captureContent) this.addContent(event);
  }

  attributes(): Attributes {
    const attributes = this.usage ? usageAttributes(converseUsage(this.usage)) : {};
    if (this.stopReason !== undefined) attributes[ATTR_GEN_AI_RESPONSE_FINISH_REASONS] = [this.stopReason];
    if (this.captureContent && this.blocks.size > 0) {
      const content = [...this.blocks.entries()].sort(([a], [b]) => a - b).map(([, block]) => block);
      Object.assign(attributes, outputMessages(content, this.stopReason));
    }
    return attributes;
  }

  private addContent(event: JsonObject): void {
    const start = event.contentBlockStart;
    if (isObject(start) && isObject(start.start?.toolUse)) {
      this.blocks.set(start.contentBlockIndex, { toolUse: { ...start.start.toolUse, input: '' } });
      return;
    }
    const delta = event.contentBlockDelta;
    if (!isObject(delta) || typeof delta.contentBlockIndex !== 'number' || !isObject(delta.delta)) return;
    const block = this.blocks.get(delta.contentBlockIndex) ?? {};
    if (typeof delta.delta.text === 'string') block.text = `${block.text ?? ''}${delta.delta.text}`;
    if (typeof delta.delta.reasoningContent?.text === 'string') {
      const text = `${block.reasoningContent?.reasoningText?.text ?? ''}${delta.delta.reasoningContent.text}`;
      block.reasoningContent = { reasoningText: { text } };
    }
    if (typeof delta.delta.toolUse?.input === 'string' && isObject(block.toolUse)) {
      block.toolUse.input = `${block.toolUse.input ?? ''}${delta.delta.toolUse.input}`;
    }
    this.blocks.set(delta.contentBlockIndex, block);
  }
}

/** Prompt and system content of a Converse request, in the GenAI message shape. Only called when capture is on. */
export function converseInputAttributes(input: JsonObject): Attributes {
  const attributes: Attributes = {};
  if (Array.isArray(input.messages)) {
    const messages = input.messages.filter(isObject).map((message) => ({
      role: String(message.role),
      parts: toParts(message.content),
    }));
    attributes[ATTR_GEN_AI_INPUT_MESSAGES] = JSON.stringify(messages);
  }
  if (Array.isArray(input.system)) attributes[ATTR_GEN_AI_SYSTEM_INSTRUCTIONS] = JSON.stringify(toParts(input.system));
  return attributes;
}

export function outputMessages(content: unknown[], stopReason: unknown): Attributes {
  const message = {
    role: 'assistant',
    parts: toParts(content),
    finish_reason: typeof stopReason === 'string' ? stopReason : '',
  };
  return { [ATTR_GEN_AI_OUTPUT_MESSAGES]: JSON.stringify([message]) };
}

/**
 * Content blocks in the GenAI part shape: Converse and Nova blocks
 * (`{ text }`, `{ toolUse }`, ...) and Anthropic Messages blocks (`{ type:
 * 'text' }`, `tool_use`, `tool_result`, ...); a string is one text part.
 */
export function toParts(content: unknown): Array<Record<string, unknown>> {
  if (typeof content === 'string') return [{ type: 'text', content }];
  if (!Array.isArray(content)) return [];
  return content.filter(isObject).map((block) => {
    if (typeof block.text === 'string') return { type: 'text', content: block.text };
    if (block.type === 'tool_use') {
      return { type: 'tool_call', id: block.id, name: block.name, arguments: parseIfString(block.input) };
    }
    if (block.type === 'tool_result')
      return { type: 'tool_call_response', id: block.tool_use_id, response: block.content };
    if (block.type === 'thinking') return { type: 'reasoning', content: block.thinking };
    if (typeof block.type === 'string') return { type: block.type };
    if (isObject(block.reasoningContent)) {
      return { type: 'reasoning', content: block.reasoningContent.reasoningText?.text };
    }
    if (isObject(block.toolUse)) {
      const { toolUseId, name, input } = block.toolUse;
      return { type: 'tool_call', id: toolUseId, name, arguments: parseIfString(input) };
    }
    if (isObject(block.toolResult)) {
      return { type: 'tool_call_response', id: block.toolResult.toolUseId, response: block.toolResult.content };
    }
    // Images, documents, videos, cache points...: the kind only, never the payload.
    return { type: Object.keys(block)[0] ?? 'unknown' };
  });
}

function parseIfString(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}
