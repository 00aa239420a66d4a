import {
  ATTR_GEN_AI_INPUT_MESSAGES,
  ATTR_GEN_AI_OUTPUT_MESSAGES,
  ATTR_GEN_AI_SYSTEM_INSTRUCTIONS,
} from '@agentburn/core';
import type { Attributes } from '@opentelemetry/api';
import { isObject, type JsonObject, type RequestParams } from './request';

/**
 * Prompt and completion content in the GenAI semantic conventions' message
 * shape (`{ role, parts: [{ type, ... }] }`, JSON-encoded). Only called when
 * the user opted in to content capture.
 */
type Part = Record<string, unknown>;
interface Message {
  role: string;
  parts: Part[];
  finish_reason?: string;
}

export function inputContentAttributes(params: RequestParams): Attributes {
  const attributes: Attributes = {};
  const messages = toMessages(params.contents);
  if (messages.length > 0) attributes[ATTR_GEN_AI_INPUT_MESSAGES] = JSON.stringify(messages);
  const system = isObject(params.config) ? params.config.systemInstruction : undefined;
  if (system !== undefined && system !== null) {
    attributes[ATTR_GEN_AI_SYSTEM_INSTRUCTIONS] = JSON.stringify(toMessages(system).flatMap((m) => m.parts));
  }
  return attributes;
}

/** The first candidate's parts, as one assistant message. */
export function outputContentAttributes(parts: unknown[], finishReason: string | undefined): Attributes {
  const message: Message = {
    role: 'assistant',
    parts: parts.filter(isObject).map(toPart),
    finish_reason: finishReason ?? '',
  };
  return { [ATTR_GEN_AI_OUTPUT_MESSAGES]: JSON.stringify([message]) };
}

/** The SDK's `ContentListUnion`: a string, a Part, a Content, or an array of either. */
function toMessages(contents: unknown): Message[] {
  if (contents === undefined || contents === null) return [];
  const items = Array.isArray(contents) ? contents : [contents];
  const messages: Message[] = [];
  let loose: Part[] = [];
  const flush = () => {
    if (loose.length > 0) messages.push({ role: 'user', parts: loose });
    loose = [];
  };
  for (const item of items) {
    if (isObject(item) && Array.isArray(item.parts)) {
      flush();
      messages.push({
        role: item.role === 'model' ? 'assistant' : String(item.role ?? 'user'),
        parts: item.parts.filter(isObject).map(toPart),
      });
    } else if (typeof item === 'string') {
      loose.push({ type: 'text', content: item });
    } else if (isObject(item)) {
      loose.push(toPart(item));
    }
  }
  flush();
  return messages;
}

function toPart(part: JsonObject): Part {
  if (typeof part.text === 'string') return { type: part.thought === true ? 'reasoning' : 'text', content: part.text };
  if (isObject(part.functionCall)) {
    return {
      type: 'tool_call',
      id: part.functionCall.id,
      name: part.functionCall.name,
      arguments: part.functionCall.args,
    };
  }
  if (isObject(part.functionResponse)) {
    return { type: 'tool_call_response', id: part.functionResponse.id, response: part.functionResponse.response };
  }
  // Inline data, files, executable code...: the kind only, never the payload.
  const kind = Object.keys(part).find((key) => part[key] !== undefined);
  return { type: kind ?? 'unknown' };
}
