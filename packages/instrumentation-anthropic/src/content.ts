import {
  ATTR_GEN_AI_INPUT_MESSAGES,
  ATTR_GEN_AI_OUTPUT_MESSAGES,
  ATTR_GEN_AI_SYSTEM_INSTRUCTIONS,
} from '@agentburn/core';
import type { Attributes } from '@opentelemetry/api';
import { isObject, type JsonObject, type MessageParams } from './messages';

/**
 * Prompt and completion content in the GenAI semantic conventions' message
 * shape (`{ role, parts: [{ type, ... }] }`, JSON-encoded). Only called when
 * the user opted in to content capture.
 */
type Part = Record<string, unknown>;

export function inputContentAttributes(params: MessageParams): Attributes {
  const attributes: Attributes = {};
  if (Array.isArray(params.messages)) {
    const messages = params.messages.filter(isObject).map((message) => ({
      role: String(message.role),
      parts: toParts(message.content),
    }));
    attributes[ATTR_GEN_AI_INPUT_MESSAGES] = JSON.stringify(messages);
  }
  if (params.system !== undefined && params.system !== null) {
    attributes[ATTR_GEN_AI_SYSTEM_INSTRUCTIONS] = JSON.stringify(toParts(params.system));
  }
  return attributes;
}

export function outputContentAttributes(content: unknown, stopReason: unknown): Attributes {
  if (!Array.isArray(content)) return {};
  const message = {
    role: 'assistant',
    parts: toParts(content),
    finish_reason: typeof stopReason === 'string' ? stopReason : '',
  };
  return { [ATTR_GEN_AI_OUTPUT_MESSAGES]: JSON.stringify([message]) };
}

function toParts(content: unknown): Part[] {
  if (typeof content === 'string') return [{ type: 'text', content }];
  if (!Array.isArray(content)) return [];
  return content.filter(isObject).map(toPart);
}

function toPart(block: JsonObject): Part {
  switch (block.type) {
    case 'text':
      return { type: 'text', content: block.text };
    case 'thinking':
      return { type: 'reasoning', content: block.thinking };
    case 'tool_use':
    case 'server_tool_use':
      return { type: 'tool_call', id: block.id, name: block.name, arguments: block.input };
    case 'tool_result':
      return { type: 'tool_call_response', id: block.tool_use_id, response: block.content };
    default:
      // Images, documents, redacted thinking...: the kind only, never the payload.
      return { type: typeof block.type === 'string' ? block.type : 'unknown' };
  }
}
