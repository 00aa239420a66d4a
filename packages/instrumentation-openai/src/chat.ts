import {
  ATTR_GEN_AI_INPUT_MESSAGES,
  ATTR_GEN_AI_OUTPUT_MESSAGES,
  ATTR_GEN_AI_OUTPUT_TYPE,
  ATTR_GEN_AI_RESPONSE_FINISH_REASONS,
  GEN_AI_OPERATION_CHAT,
  shallowCopy,
} from '@agentburn/core';
import type { Attributes } from '@opentelemetry/api';
import {
  addModelRequestAttributes,
  modelResultAttributes,
  type Operation,
  type Payload,
  type StreamAccumulator,
  setIf,
  toJson,
} from './operation';
import { addChatUsage } from './usage';

/** `chat.completions.create`. */
export const chatCompletions: Operation = {
  name: GEN_AI_OPERATION_CHAT,
  outputCapField: 'max_completion_tokens',

  prepare(body, injectStreamUsage) {
    // Ask for the usage chunk the API only sends on request; the caller's
    // object is copied, never changed. A caller who asked for usage sees it.
    if (!injectStreamUsage || body?.stream !== true || body.stream_options?.include_usage === true) return undefined;
    const copy = shallowCopy(body);
    const options = body.stream_options;
    copy.stream_options = options === undefined ? { include_usage: true } : { ...options, include_usage: true };
    return copy;
  },

  requestAttributes(body, captureContent, attributes) {
    addModelRequestAttributes(attributes, body, body?.max_completion_tokens ?? body?.max_tokens);
    setIf(attributes, ATTR_GEN_AI_OUTPUT_TYPE, outputType(body?.response_format?.type));
    if (captureContent && Array.isArray(body?.messages)) {
      setIf(attributes, ATTR_GEN_AI_INPUT_MESSAGES, toJson(body.messages.map(inputMessage)));
    }
  },

  resultAttributes(result, captureContent) {
    const attributes = modelResultAttributes(result);
    const choices: Payload[] = Array.isArray(result?.choices) ? result.choices : [];
    setIf(attributes, ATTR_GEN_AI_RESPONSE_FINISH_REASONS, choiceFinishReasons(choices));
    addChatUsage(attributes, result?.usage);
    if (captureContent) {
      const output = choices.map((c) => outputMessage(c?.message?.content, c?.message?.tool_calls, c?.finish_reason));
      setIf(attributes, ATTR_GEN_AI_OUTPUT_MESSAGES, toJson(output));
    }
    return attributes;
  },

  streamAccumulator(captureContent, hideUsageChunk) {
    return new ChatStreamAccumulator(captureContent, hideUsageChunk);
  },
};

/** `gen_ai.output.type` from `response_format.type`: structured output is `json`. */
function outputType(format: unknown): string | undefined {
  if (format === 'json_schema' || format === 'json_object') return 'json';
  return format === 'text' ? 'text' : undefined;
}

/** The string `finish_reason`s of `choices`, without an intermediate list. */
function choiceFinishReasons(choices: Payload[]): string[] | undefined {
  let reasons: string[] | undefined;
  for (const choice of choices) {
    const reason = choice?.finish_reason;
    if (typeof reason === 'string') (reasons ??= []).push(reason);
  }
  return reasons;
}

function finishReasons(reasons: unknown[]): string[] | undefined {
  const strings = reasons.filter((r): r is string => typeof r === 'string');
  return strings.length > 0 ? strings : undefined;
}

/** Folds `chat.completion.chunk`s into the attributes of the whole completion. */
class ChatStreamAccumulator implements StreamAccumulator {
  private last: Payload;
  private usage: Payload;
  private readonly reasons: string[] = [];
  /** Per choice index: text and tool calls, kept only when content is captured. */
  private readonly choices = new Map<number, { text: string; tools: Map<number, ToolCallDraft> }>();

  constructor(
    private readonly captureContent: boolean,
    private readonly hideUsageChunk: boolean,
  ) {}

  add(chunk: Payload): boolean {
    if (!chunk || typeof chunk !== 'object') return true;
    this.last = chunk;
    const choices: Payload[] = Array.isArray(chunk.choices) ? chunk.choices : [];
    for (const choice of choices) {
      if (typeof choice?.finish_reason === 'string') this.reasons[choice.index ?? 0] = choice.finish_reason;
      if (this.captureContent) this.addContent(choice);
    }
    if (chunk.usage) {
      this.usage = chunk.usage;
      // The usage-only chunk we asked for: the caller did not, so it never sees it.
      if (this.hideUsageChunk && choices.length === 0) return false;
    }
    return true;
  }

  attributes(): Attributes {
    const attributes = modelResultAttributes(this.last);
    setIf(attributes, ATTR_GEN_AI_RESPONSE_FINISH_REASONS, finishReasons(this.reasons));
    addChatUsage(attributes, this.usage);
    if (this.captureContent) {
      const output = [...this.choices.entries()]
        .sort(([a], [b]) => a - b)
        .map(([index, c]) => outputMessage(c.text, [...c.tools.values()], this.reasons[index]));
      setIf(attributes, ATTR_GEN_AI_OUTPUT_MESSAGES, toJson(output));
    }
    return attributes;
  }

  private addContent(choice: Payload): void {
    const index = typeof choice?.index === 'number' ? choice.index : 0;
    let draft = this.choices.get(index);
    if (!draft) this.choices.set(index, (draft = { text: '', tools: new Map() }));
    const delta = choice?.delta;
    if (typeof delta?.content === 'string') draft.text += delta.content;
    for (const call of Array.isArray(delta?.tool_calls) ? delta.tool_calls : []) {
      const key = typeof call?.index === 'number' ? call.index : draft.tools.size;
      let tool = draft.tools.get(key);
      if (!tool) draft.tools.set(key, (tool = { id: call?.id, function: { name: '', arguments: '' } }));
      if (call?.id) tool.id = call.id;
      if (call?.function?.name) tool.function.name += call.function.name;
      if (call?.function?.arguments) tool.function.arguments += call.function.arguments;
    }
  }
}

interface ToolCallDraft {
  id?: string;
  function: { name: string; arguments: string };
}

// --- Content, in the GenAI semconv message shape (role + parts) --------------

function inputMessage(message: Payload): unknown {
  const role = message?.role ?? 'user';
  const parts: unknown[] = contentParts(message?.content);
  if (role === 'tool') {
    return { role, parts: [{ type: 'tool_call_response', id: message?.tool_call_id, response: message?.content }] };
  }
  for (const call of Array.isArray(message?.tool_calls) ? message.tool_calls : []) parts.push(toolCallPart(call));
  return { role, parts };
}

function outputMessage(content: unknown, toolCalls: unknown, finishReason: unknown): unknown {
  const parts = contentParts(content);
  for (const call of Array.isArray(toolCalls) ? toolCalls : []) parts.push(toolCallPart(call));
  return { role: 'assistant', parts, finish_reason: finishReason ?? null };
}

function contentParts(content: unknown): unknown[] {
  if (typeof content === 'string') return content === '' ? [] : [{ type: 'text', content }];
  if (!Array.isArray(content)) return [];
  return content.map((part: Payload) => {
    if (part?.type === 'text') return { type: 'text', content: part.text };
    if (part?.type === 'image_url') return { type: 'uri', modality: 'image', uri: part.image_url?.url };
    return { type: part?.type ?? 'unknown' };
  });
}

function toolCallPart(call: Payload): unknown {
  return { type: 'tool_call', id: call?.id, name: call?.function?.name, arguments: call?.function?.arguments };
}
