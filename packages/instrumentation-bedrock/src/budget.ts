import { ANTHROPIC_TOOL_PROMPT_TOKENS, type LlmRequestAdapter } from '@agentburn/core';
import { parseBody } from './invoke';
import type { Command } from './request';
import { isObject, type JsonObject } from './usage';

/**
 * How a budget reads a Bedrock command's input. Every clamp returns a new
 * input object (and, for InvokeModel, a new body): the caller's command and
 * its input are never changed.
 */
export function budgetAdapter(command: Command): LlmRequestAdapter<JsonObject> {
  return command.kind === 'converse' || command.kind === 'converse_stream'
    ? converseRequest
    : invokeModelRequest(command.input);
}

/** Converse: `messages`, `system` and `toolConfig` are read; `inferenceConfig.maxTokens` caps the output. */
const converseRequest: LlmRequestAdapter<JsonObject> = {
  input: (input) => [input.messages, input.system, input.toolConfig],
  overheadTokens: (input) =>
    isAnthropic(input.modelId) && hasItems(input.toolConfig?.tools) ? ANTHROPIC_TOOL_PROMPT_TOKENS : 0,
  output: {
    get: (input) => input.inferenceConfig?.maxTokens,
    set: (input, tokens) => ({ ...input, inferenceConfig: { ...input.inferenceConfig, maxTokens: tokens } }),
  },
};

/** One model family's InvokeModel body: the fields the model reads and where its output cap lives. */
interface PayloadFamily {
  input(body: JsonObject): unknown[];
  overheadTokens?(body: JsonObject): number;
  /** Path of the output cap in the body; absent for embedding models. */
  cap?: readonly [string] | readonly [string, string];
}

const FAMILIES = {
  // Anthropic Messages: `max_tokens` is required, and tools add Anthropic's tool-use prompt.
  anthropic: {
    input: (body) => [body.messages, body.system, body.tools, body.tool_choice],
    overheadTokens: (body) => (hasItems(body.tools) ? ANTHROPIC_TOOL_PROMPT_TOKENS : 0),
    cap: ['max_tokens'],
  },
  nova: { input: (body) => [body.messages, body.system, body.toolConfig], cap: ['inferenceConfig', 'max_new_tokens'] },
  meta: { input: (body) => [body.prompt], cap: ['max_gen_len'] },
  titanText: { input: (body) => [body.inputText], cap: ['textGenerationConfig', 'maxTokenCount'] },
  // Titan and Cohere embeddings: input only.
  embedding: { input: (body) => [body.inputText, body.texts, body.images] },
  // Mistral, Cohere Command, AI21 and others: every string of the body is counted, `max_tokens` caps the output.
  other: { input: (body) => [body], cap: ['max_tokens'] },
} satisfies Record<string, PayloadFamily>;

/** The payload family from the model id (also inside an inference profile or ARN), else from the body's own fields. */
function familyOf(modelId: unknown, body: JsonObject): PayloadFamily {
  const id = typeof modelId === 'string' ? modelId : '';
  if (EMBEDDING_MODEL.test(id)) return FAMILIES.embedding;
  if (isAnthropic(id) || body.anthropic_version !== undefined) return FAMILIES.anthropic;
  if (/amazon\.nova/.test(id) || body.schemaVersion === 'messages-v1' || isObject(body.inferenceConfig)) {
    return FAMILIES.nova;
  }
  if (/meta\.llama/.test(id) || body.max_gen_len !== undefined) return FAMILIES.meta;
  if (/amazon\.titan-text/.test(id) || body.inputText !== undefined) return FAMILIES.titanText;
  return FAMILIES.other;
}

/**
 * InvokeModel: the body is the model's own JSON, read per payload family
 * (parsed only when a budget asks). A body that is not JSON (other bytes, a
 * Blob, which is never read here) is bounded by its size and cannot be
 * clamped. A stream is never read either (that would consume the caller's):
 * its size is unknown, and the budget's policy for what cannot be projected
 * applies.
 */
function invokeModelRequest(commandInput: JsonObject): LlmRequestAdapter<JsonObject> {
  let read: { body: JsonObject; family: PayloadFamily } | null | undefined;
  const payload = () => {
    if (read === undefined) {
      const body = parseBody(commandInput.body);
      read = body === undefined ? null : { body, family: familyOf(commandInput.modelId, body) };
    }
    return read;
  };
  // An embedding model (named so in its id, as the span's operation is) produces no tokens.
  const embedding = typeof commandInput.modelId === 'string' && EMBEDDING_MODEL.test(commandInput.modelId);
  return {
    input: (input) => {
      const known = payload();
      return known ? known.family.input(known.body) : [input.body];
    },
    overheadTokens: () => {
      const known = payload();
      return known?.family.overheadTokens?.(known.body) ?? 0;
    },
    output: embedding
      ? undefined
      : {
          get: () => {
            const known = payload();
            const [field, nested] = known?.family.cap ?? [];
            if (!known || field === undefined) return undefined;
            return nested === undefined ? known.body[field] : known.body[field]?.[nested];
          },
          set: (input, tokens) => {
            const known = payload();
            // Not JSON, or no cap to set: the input goes out as it was, and the guard refuses rather than clamps.
            if (!known?.family.cap) return input;
            return { ...input, body: encodeLike(input.body, withCap(known.body, known.family.cap, tokens)) };
          },
        },
  };
}

const EMBEDDING_MODEL = /embed/i;

function withCap(body: JsonObject, cap: readonly string[], tokens: number): JsonObject {
  const [field, nested] = cap as [string, string | undefined];
  if (nested === undefined) return { ...body, [field]: tokens };
  return { ...body, [field]: { ...(isObject(body[field]) ? body[field] : {}), [nested]: tokens } };
}

/** `body` as JSON in the form the caller gave theirs: a string stays a string, bytes stay bytes. */
function encodeLike(original: unknown, body: JsonObject): string | Uint8Array {
  const json = JSON.stringify(body);
  return typeof original === 'string' ? json : new TextEncoder().encode(json);
}

function isAnthropic(modelId: unknown): boolean {
  return typeof modelId === 'string' && /anthropic\./.test(modelId);
}

function hasItems(value: unknown): boolean {
  return Array.isArray(value) && value.length > 0;
}
