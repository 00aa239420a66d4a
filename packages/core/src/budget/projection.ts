import { encodingFor, tokenCounter } from './tokenizer';

/**
 * Worst-case token counts of one request, before it is sent.
 *
 * Input: every string of the request's input fields, counted with the model
 * family's own tokenizer for OpenAI models (`gpt-tokenizer`), else bounded by
 * size at one token per two UTF-8 bytes (tokenizers of natural language and
 * code average three to four bytes per token). On top: an allowance per
 * JSON object (message framing, roles, keys), per request, per image, and
 * Anthropic's tool-use system prompt when tools are given. The estimate is
 * meant to be above the server's count, never below it; an adversarial
 * prompt (random bytes) can still beat the size bound.
 */
export interface TokenProjection {
  inputTokens: number;
  /** The request's output cap, or the default when it sets none; 0 for an operation with no output (embeddings). */
  outputTokens: number;
  /**
   * The input holds a stream, whose size is unknown until it is read, and
   * reading it would consume the caller's: it is not counted in `inputTokens`.
   */
  sizeUnknown: boolean;
}

/**
 * How the budget reads one kind of request: each instrumentation supplies
 * one for its SDK's request shape, and the guard does the rest (projection,
 * reservation, refusal, clamping, settlement).
 */
export interface LlmRequestAdapter<Body> {
  /** The parts of the request the model reads (messages, system prompt, tool definitions...), walked for text. */
  input(body: Body): readonly unknown[];
  /** Tokens the provider adds on top of the request (a tool-use system prompt). */
  overheadTokens?(body: Body): number;
  /** The output cap; absent for an operation that produces no tokens (embeddings). */
  output?: OutputCap<Body>;
}

export interface OutputCap<Body> {
  /** The cap the request sets, or undefined when it sets none (the budget's default applies). */
  get(body: Body): unknown;
  /**
   * A copy of `body` with its cap set to `tokens`; `body` itself, the
   * caller's, is never changed. Returns `body` itself when this request
   * cannot be clamped; absent when no request of the kind can.
   */
  set?(body: Body, tokens: number): Body;
}

/** Fields that hold what the model reads, across Chat Completions, Responses, Embeddings and Anthropic Messages. */
const INPUT_FIELDS = [
  'messages',
  'input',
  'instructions',
  'system',
  'prompt',
  'tools',
  'functions',
  'tool_choice',
  'response_format',
  'text',
  'prediction',
] as const;

/** Request fields that cap the output, in the order they are looked for. */
const CAP_FIELDS = ['max_completion_tokens', 'max_output_tokens', 'max_tokens'] as const;

/** Framing of a message or content part: role markers, separators, and the key names the walk does not count. */
const TOKENS_PER_OBJECT = 3;
/** Start of the assistant's reply and request framing. */
const TOKENS_PER_REQUEST = 3;
/**
 * One image, whatever its size: above OpenAI's high-detail charge for a
 * 2048x2048 image on patch-based models and Anthropic's cap of about 1,600
 * tokens. The base64 data itself is never counted as text.
 */
export const TOKENS_PER_IMAGE = 2_500;
/** Anthropic adds a tool-use system prompt when tools are given (346 tokens or fewer, per its docs). */
export const ANTHROPIC_TOOL_PROMPT_TOKENS = 400;
/** Bounds the walk of a request body (JSON, so no cycles, but possibly deep). */
const MAX_DEPTH = 64;

/**
 * The request bodies of OpenAI (Chat Completions, Responses, Embeddings) and
 * Anthropic Messages: top-level input fields, and an output cap in
 * `max_completion_tokens`, `max_output_tokens` or `max_tokens`, else added
 * as `defaultCapField` (undefined: the operation has no output).
 */
export function chatBodyAdapter(
  defaultCapField: string | undefined,
  provider: string | undefined,
): LlmRequestAdapter<unknown> {
  const capField = (body: Record<string, unknown>) =>
    CAP_FIELDS.find((field) => typeof body[field] === 'number') ?? (defaultCapField as string);
  return {
    input: (body) => (isRecord(body) ? INPUT_FIELDS.map((field) => body[field]) : []),
    overheadTokens: (body) =>
      provider === 'anthropic' && isRecord(body) && Array.isArray(body.tools) && body.tools.length > 0
        ? ANTHROPIC_TOOL_PROMPT_TOKENS
        : 0,
    output:
      defaultCapField === undefined
        ? undefined
        : {
            get: (body) => (isRecord(body) ? body[capField(body)] : undefined),
            set: (body, tokens) => (isRecord(body) ? { ...body, [capField(body)]: tokens } : body),
          },
  };
}

export interface ProjectionRequest<Body> {
  body: Body;
  model: string | undefined;
  adapter: LlmRequestAdapter<Body>;
  defaultMaxOutputTokens: number;
}

export function projectTokens<Body>(request: ProjectionRequest<Body>): TokenProjection {
  const { adapter, body } = request;
  const encoding = encodingFor(request.model);
  const count = (encoding && tokenCounter(encoding)) || sizeBound;
  const tally: Tally = { tokens: TOKENS_PER_REQUEST, count, sizeUnknown: false };
  for (const value of adapter.input(body)) {
    if (value !== undefined) walk(value, tally, 0);
  }
  tally.tokens += adapter.overheadTokens?.(body) ?? 0;
  let outputTokens = 0;
  if (adapter.output !== undefined) {
    const cap = adapter.output.get(body);
    outputTokens =
      typeof cap === 'number' && Number.isFinite(cap) && cap >= 0 ? Math.ceil(cap) : request.defaultMaxOutputTokens;
  }
  return { inputTokens: tally.tokens, outputTokens, sizeUnknown: tally.sizeUnknown };
}

interface Tally {
  tokens: number;
  count: (text: string) => number;
  sizeUnknown: boolean;
}

function walk(value: unknown, tally: Tally, depth: number): void {
  if (typeof value === 'string') {
    if (value.length > 0) tally.tokens += tally.count(value);
    return;
  }
  if (typeof value === 'number') {
    // Token ids (embeddings input given as arrays of numbers): one token each.
    tally.tokens += 1;
    return;
  }
  if (value === null || typeof value !== 'object' || depth > MAX_DEPTH) return;
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) {
    // Raw bytes (a document given as a Uint8Array or an ArrayBuffer): bounded by size, like text.
    tally.tokens += Math.ceil(value.byteLength / 2);
    return;
  }
  if (isBlob(value)) {
    // A Blob (or File) knows its size without being read: bounded like raw bytes.
    tally.tokens += Math.ceil(value.size / 2);
    return;
  }
  if (isStream(value)) {
    // Never read: that would consume the caller's stream.
    tally.sizeUnknown = true;
    return;
  }
  if (Array.isArray(value)) {
    for (const item of value) walk(item, tally, depth + 1);
    return;
  }
  const record = value as Record<string, unknown>;
  tally.tokens += TOKENS_PER_OBJECT;
  if (isImagePart(record)) {
    tally.tokens += TOKENS_PER_IMAGE;
    return;
  }
  for (const key in record) walk(record[key], tally, depth + 1);
}

/**
 * Image parts of Chat Completions (`image_url`), Responses (`input_image`),
 * Anthropic (`image`), Gemini (`inlineData` / `fileData` of an `image/*`
 * type) and Bedrock Converse and Nova (`{ image: { format, source } }`).
 */
function isImagePart(part: Record<string, unknown>): boolean {
  const type = part.type;
  if (type === 'image_url' || type === 'input_image' || type === 'image') return true;
  const media = part.inlineData ?? part.fileData;
  if (isRecord(media) && typeof media.mimeType === 'string' && media.mimeType.startsWith('image/')) return true;
  return isRecord(part.image) && typeof part.image.format === 'string';
}

/** One token per two UTF-8 bytes, rounded up: the bound for tokenizers we do not have. */
export function sizeBound(text: string): number {
  return Math.ceil(Buffer.byteLength(text, 'utf8') / 2);
}

function isBlob(value: object): value is { size: number } {
  const blob = value as { size?: unknown; arrayBuffer?: unknown };
  return typeof blob.size === 'number' && blob.size >= 0 && typeof blob.arrayBuffer === 'function';
}

/** A web ReadableStream, a Node Readable, or any other async iterable: its size is known only once read. */
function isStream(value: object): boolean {
  const stream = value as { getReader?: unknown; pipe?: unknown; [Symbol.asyncIterator]?: unknown };
  return (
    typeof stream.getReader === 'function' ||
    typeof stream.pipe === 'function' ||
    typeof stream[Symbol.asyncIterator] === 'function'
  );
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
