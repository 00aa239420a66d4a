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
  /** The request field holding the output cap (present or to add), if the operation has one. */
  capField: string | undefined;
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
const ANTHROPIC_TOOL_PROMPT_TOKENS = 400;
/** Bounds the walk of a request body (JSON, so no cycles, but possibly deep). */
const MAX_DEPTH = 64;

export interface ProjectionRequest {
  body: unknown;
  model: string | undefined;
  provider: string | undefined;
  /** Where this operation's output cap goes when the request sets none; undefined when it produces no tokens. */
  defaultCapField: string | undefined;
  defaultMaxOutputTokens: number;
}

export function projectTokens(request: ProjectionRequest): TokenProjection {
  const body = isRecord(request.body) ? request.body : {};
  const encoding = encodingFor(request.model);
  const count = (encoding && tokenCounter(encoding)) || sizeBound;
  const tally = { tokens: TOKENS_PER_REQUEST, count };
  for (const field of INPUT_FIELDS) {
    if (body[field] !== undefined) walk(body[field], tally, 0);
  }
  if (request.provider === 'anthropic' && Array.isArray(body.tools) && body.tools.length > 0) {
    tally.tokens += ANTHROPIC_TOOL_PROMPT_TOKENS;
  }
  let capField: string | undefined;
  let outputTokens = 0;
  if (request.defaultCapField !== undefined) {
    capField = CAP_FIELDS.find((field) => typeof body[field] === 'number') ?? request.defaultCapField;
    const cap = body[capField];
    outputTokens =
      typeof cap === 'number' && Number.isFinite(cap) && cap >= 0 ? Math.ceil(cap) : request.defaultMaxOutputTokens;
  }
  return { inputTokens: tally.tokens, outputTokens, capField };
}

interface Tally {
  tokens: number;
  count: (text: string) => number;
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

/** Image parts of Chat Completions (`image_url`), Responses (`input_image`) and Anthropic (`image`). */
function isImagePart(part: Record<string, unknown>): boolean {
  const type = part.type;
  return type === 'image_url' || type === 'input_image' || type === 'image';
}

/** One token per two UTF-8 bytes, rounded up: the bound for tokenizers we do not have. */
export function sizeBound(text: string): number {
  return Math.ceil(Buffer.byteLength(text, 'utf8') / 2);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
