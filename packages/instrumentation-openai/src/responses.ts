import {
  ATTR_GEN_AI_INPUT_MESSAGES,
  ATTR_GEN_AI_OUTPUT_MESSAGES,
  ATTR_GEN_AI_RESPONSE_FINISH_REASONS,
  ATTR_GEN_AI_SYSTEM_INSTRUCTIONS,
  GEN_AI_OPERATION_CHAT,
} from '@agentburn/core';
import type { Attributes } from '@opentelemetry/api';
import {
  addModelRequestAttributes,
  modelResultAttributes,
  type Operation,
  type Payload,
  type StreamAccumulator,
  setIf,
  stringOrUndefined,
  toJson,
} from './operation';
import { addResponsesUsage } from './usage';

/**
 * `responses.create`. Recorded as `chat`, the GenAI operation for a model
 * turn; the Responses API always reports usage in its final event, so
 * nothing is injected into the request.
 */
export const responses: Operation = {
  name: GEN_AI_OPERATION_CHAT,
  outputCapField: 'max_output_tokens',

  requestAttributes(body, captureContent, attributes) {
    addModelRequestAttributes(attributes, body, body?.max_output_tokens);
    if (captureContent) {
      if (typeof body?.instructions === 'string') {
        setIf(attributes, ATTR_GEN_AI_SYSTEM_INSTRUCTIONS, toJson([{ type: 'text', content: body.instructions }]));
      }
      setIf(attributes, ATTR_GEN_AI_INPUT_MESSAGES, toJson(inputMessages(body?.input)));
    }
  },

  resultAttributes(result, captureContent) {
    // A `Response` object; background or malformed results carry less.
    const attributes = modelResultAttributes(result);
    setIf(attributes, ATTR_GEN_AI_RESPONSE_FINISH_REASONS, finishReason(result));
    addResponsesUsage(attributes, result?.usage);
    if (captureContent && Array.isArray(result?.output)) {
      setIf(attributes, ATTR_GEN_AI_OUTPUT_MESSAGES, toJson([outputMessage(result.output, finishReason(result)?.[0])]));
    }
    return attributes;
  },

  streamAccumulator(captureContent) {
    return new ResponsesStreamAccumulator(captureContent);
  },
};

/** Terminal events carry the whole response, usage included. */
const TERMINAL_EVENTS = new Set(['response.completed', 'response.incomplete', 'response.failed']);

class ResponsesStreamAccumulator implements StreamAccumulator {
  private response: Payload;
  private failed: { name: string } | undefined;

  constructor(private readonly captureContent: boolean) {}

  add(event: Payload): boolean {
    const type = event?.type;
    if (type === 'response.created' || type === 'response.in_progress' || TERMINAL_EVENTS.has(type)) {
      if (event.response) this.response = event.response;
    }
    // Failures arrive as events, not as thrown errors: the error code is the low-cardinality `error.type`.
    if (type === 'response.failed') this.failed = { name: stringOrUndefined(event.response?.error?.code) ?? type };
    else if (type === 'error') this.failed = { name: stringOrUndefined(event.code) ?? 'error' };
    return true;
  }

  failure(): { name: string } | undefined {
    return this.failed;
  }

  attributes(): Attributes {
    return this.response ? responses.resultAttributes(this.response, this.captureContent) : {};
  }
}

function finishReason(result: Payload): string[] | undefined {
  const status = result?.status;
  if (status === 'completed') {
    const called =
      Array.isArray(result.output) && result.output.some((item: Payload) => item?.type === 'function_call');
    return [called ? 'tool_calls' : 'stop'];
  }
  if (status === 'incomplete') return [stringOrUndefined(result.incomplete_details?.reason) ?? 'incomplete'];
  return typeof status === 'string' && status !== 'in_progress' && status !== 'queued' ? [status] : undefined;
}

// --- Content, in the GenAI semconv message shape (role + parts) --------------

function inputMessages(input: unknown): unknown[] {
  if (typeof input === 'string') return [{ role: 'user', parts: [{ type: 'text', content: input }] }];
  if (!Array.isArray(input)) return [];
  return input.map((item: Payload) => {
    if (item?.type === 'function_call') {
      return {
        role: 'assistant',
        parts: [{ type: 'tool_call', id: item.call_id, name: item.name, arguments: item.arguments }],
      };
    }
    if (item?.type === 'function_call_output') {
      return { role: 'tool', parts: [{ type: 'tool_call_response', id: item.call_id, response: item.output }] };
    }
    return { role: item?.role ?? 'user', parts: contentParts(item?.content) };
  });
}

function outputMessage(output: Payload[], reason: string | undefined): unknown {
  const parts: unknown[] = [];
  for (const item of output) {
    if (item?.type === 'message') parts.push(...contentParts(item.content));
    else if (item?.type === 'function_call') {
      parts.push({ type: 'tool_call', id: item.call_id, name: item.name, arguments: item.arguments });
    }
  }
  return { role: 'assistant', parts, finish_reason: reason ?? null };
}

function contentParts(content: unknown): unknown[] {
  if (typeof content === 'string') return [{ type: 'text', content }];
  if (!Array.isArray(content)) return [];
  return content.map((part: Payload) => {
    if (part?.type === 'input_text' || part?.type === 'output_text') return { type: 'text', content: part.text };
    if (part?.type === 'refusal') return { type: 'text', content: part.refusal };
    return { type: part?.type ?? 'unknown' };
  });
}
