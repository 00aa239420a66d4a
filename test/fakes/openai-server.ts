/**
 * A fake of the OpenAI HTTP API on 127.0.0.1, speaking the real wire format:
 * JSON bodies, Server-Sent Events (`data: {...}\n\n`, `data: [DONE]`), and
 * OpenAI-shaped error bodies. Shared by the instrumentation tests, the
 * benchmarks and the examples.
 *
 * Every request is answered by the next queued reply (`server.reply(...)`),
 * or, when the queue is empty, by a default that mirrors the real API:
 * chat completions, responses and embeddings, streamed when asked, with a
 * usage chunk only when `stream_options.include_usage` is true.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { listenOnLoopback, parseJson, ReplyQueue, readBody, splitUrl, sseFrame, writeJson, writeSseHead } from './http';

export interface RecordedRequest {
  method: string;
  /** Path without the query string, e.g. `/v1/chat/completions`. */
  path: string;
  headers: IncomingMessage['headers'];
  /** The parsed JSON body, or `undefined` when the body was not JSON. */
  // biome-ignore lint/suspicious/noExplicitAny: arbitrary JSON, read freely by tests
  body: any;
}

export type Reply =
  /** A JSON response (status 200 unless given). */
  | { json: unknown; status?: number; headers?: Record<string, string> }
  /**
   * An SSE response. Objects are sent as `data: <json>`; `{ event, data }`
   * objects as named events. `[DONE]` is appended unless `done: false`;
   * `holdOpen` keeps the connection open after the events (until the client
   * goes away or the server closes).
   */
  | { sse: SseEvent[]; done?: boolean; holdOpen?: boolean; headers?: Record<string, string> }
  /** An OpenAI-shaped error response. */
  | {
      error: { status: number; message?: string; type?: string; code?: string | null };
      headers?: Record<string, string>;
    }
  /** Accept the request and never answer (client timeouts). */
  | { hang: true }
  /** Destroy the socket without answering (connection reset). */
  | { destroy: true };

export type SseEvent = unknown | { event: string; data: unknown };

export type ReplyFn = (request: RecordedRequest) => Reply;

export interface DefaultOptions {
  /** Content of the assistant message / output text. */
  content: string;
  /** Number of content chunks of a default stream. */
  streamChunks: number;
  /** Usage of chat completions (OpenAI shape). */
  chatUsage: Record<string, unknown>;
  /** Usage of responses (Responses API shape). */
  responsesUsage: Record<string, unknown>;
  /** Response model; defaults to the request model. */
  responseModel?: string;
  /** `service_tier` echoed in responses; omitted when undefined. */
  serviceTier?: string;
  /**
   * Answer any request carrying `stream_options` with a 400, as servers that
   * do not know the option do (older Azure deployments, some compatible servers).
   */
  rejectStreamOptions?: boolean;
}

export interface FakeOpenAIServer {
  /** Base URL to pass as the SDK's `baseURL`, ending in `/v1`. */
  url: string;
  port: number;
  /** Every request received, in order. */
  requests: RecordedRequest[];
  /** Queues replies for the next requests, in order. */
  reply(...replies: Array<Reply | ReplyFn>): void;
  /** Defaults used when the queue is empty; mutate per test. */
  defaults: DefaultOptions;
  /** Clears recorded requests, queued replies and restores the defaults. */
  reset(): void;
  close(): Promise<void>;
}

const initialDefaults = (): DefaultOptions => ({
  content: 'Hello from the fake.',
  streamChunks: 3,
  chatUsage: {
    prompt_tokens: 12,
    completion_tokens: 5,
    total_tokens: 17,
    prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0 },
  },
  responsesUsage: {
    input_tokens: 12,
    input_tokens_details: { cached_tokens: 0 },
    output_tokens: 5,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: 17,
  },
});

export async function startOpenAIServer(): Promise<FakeOpenAIServer> {
  const requests: RecordedRequest[] = [];
  const queue = new ReplyQueue<Reply, RecordedRequest>();

  const fake: FakeOpenAIServer = {
    url: '',
    port: 0,
    requests,
    reply: (...replies) => queue.push(...replies),
    defaults: initialDefaults(),
    reset: () => {
      requests.length = 0;
      queue.clear();
      fake.defaults = initialDefaults();
    },
    close: () => server.close(),
  };

  const server = await listenOnLoopback((req, res) => {
    // A request the client abandons mid-body is never answered.
    readBody(req).then(
      (raw) => {
        const recorded: RecordedRequest = {
          method: req.method ?? 'GET',
          path: splitUrl(req).path,
          headers: req.headers,
          body: parseJson(raw.toString('utf8')),
        };
        requests.push(recorded);
        send(
          req,
          res,
          queue.next(recorded, (request) => defaultReply(request, fake.defaults)),
        );
      },
      () => {},
    );
  });
  fake.port = server.port;
  fake.url = `${server.origin}/v1`;
  return fake;
}

function send(req: IncomingMessage, res: ServerResponse, reply: Reply): void {
  const requestId = `req_${Math.random().toString(36).slice(2, 12)}`;
  if ('hang' in reply) return;
  if ('destroy' in reply) {
    req.socket.destroy();
    return;
  }
  if ('json' in reply) {
    writeJson(res, reply.status ?? 200, reply.json, { 'x-request-id': requestId, ...reply.headers });
    return;
  }
  if ('error' in reply) {
    const { status, message = `fake error ${status}`, type = 'invalid_request_error', code = null } = reply.error;
    writeJson(
      res,
      status,
      { error: { message, type, param: null, code } },
      { 'x-request-id': requestId, ...reply.headers },
    );
    return;
  }
  writeSseHead(res, { 'x-request-id': requestId, ...reply.headers });
  let text = '';
  for (const event of reply.sse) {
    if (event && typeof event === 'object' && 'event' in event && 'data' in event) {
      const named = event as { event: string; data: unknown };
      text += sseFrame(named.data, named.event);
    } else {
      text += sseFrame(event);
    }
  }
  if (reply.holdOpen) {
    res.write(text);
    return;
  }
  if (reply.done !== false) text += 'data: [DONE]\n\n';
  res.end(text);
}

function defaultReply(request: RecordedRequest, defaults: DefaultOptions): Reply {
  const body = request.body ?? {};
  if (defaults.rejectStreamOptions && body.stream_options !== undefined) {
    return { error: { status: 400, message: 'Unrecognized request argument supplied: stream_options' } };
  }
  if (request.path.endsWith('/chat/completions')) {
    if (body.stream) {
      return {
        sse: chatCompletionChunks({
          ...defaults,
          model: body.model,
          includeUsage: !!body.stream_options?.include_usage,
        }),
      };
    }
    return { json: chatCompletion({ ...defaults, model: body.model }) };
  }
  if (request.path.endsWith('/responses')) {
    if (body.stream) return { sse: responseEvents({ ...defaults, model: body.model }) };
    return { json: response({ ...defaults, model: body.model }) };
  }
  if (request.path.endsWith('/embeddings')) {
    return { json: embeddings({ model: body.model, input: body.input, encodingFormat: body.encoding_format }) };
  }
  return { error: { status: 404, message: `no fake for ${request.method} ${request.path}`, type: 'not_found' } };
}

// --- Builders of real-shaped payloads ----------------------------------------

export interface ChatCompletionInit extends Partial<DefaultOptions> {
  model?: string;
  id?: string;
  finishReason?: string;
  /** Tool calls of the assistant message (finish reason becomes `tool_calls`). */
  toolCalls?: Array<{ id: string; name: string; arguments: string }>;
  /** `null` omits usage entirely. */
  usage?: Record<string, unknown> | null;
}

export function chatCompletion(init: ChatCompletionInit = {}): Record<string, unknown> {
  const defaults = initialDefaults();
  const toolCalls = init.toolCalls?.map((call) => ({
    id: call.id,
    type: 'function',
    function: { name: call.name, arguments: call.arguments },
  }));
  const usage = init.usage === undefined ? (init.chatUsage ?? defaults.chatUsage) : init.usage;
  return {
    id: init.id ?? 'chatcmpl-fake-1',
    object: 'chat.completion',
    created: 1_700_000_000,
    model: init.responseModel ?? init.model ?? 'gpt-4o',
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: toolCalls ? null : (init.content ?? defaults.content),
          refusal: null,
          ...(toolCalls ? { tool_calls: toolCalls } : {}),
        },
        logprobs: null,
        finish_reason: init.finishReason ?? (toolCalls ? 'tool_calls' : 'stop'),
      },
    ],
    ...(usage ? { usage } : {}),
    ...(init.serviceTier ? { service_tier: init.serviceTier } : {}),
    system_fingerprint: 'fp_fake',
  };
}

export interface ChatChunksInit extends ChatCompletionInit {
  /** Append the usage-only chunk (`choices: []`), as the API does with `include_usage`. */
  includeUsage?: boolean;
}

/** The chunks of a streamed chat completion, content split into `streamChunks` pieces. */
export function chatCompletionChunks(init: ChatChunksInit = {}): unknown[] {
  const defaults = initialDefaults();
  const id = init.id ?? 'chatcmpl-fake-stream-1';
  const model = init.responseModel ?? init.model ?? 'gpt-4o';
  const content = init.content ?? defaults.content;
  const pieces = Math.max(1, init.streamChunks ?? defaults.streamChunks);
  const base = {
    id,
    object: 'chat.completion.chunk',
    created: 1_700_000_000,
    model,
    system_fingerprint: 'fp_fake',
    ...(init.serviceTier ? { service_tier: init.serviceTier } : {}),
  };
  const chunks: unknown[] = [
    {
      ...base,
      choices: [{ index: 0, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null }],
    },
  ];
  const size = Math.ceil(content.length / pieces);
  for (let i = 0; i < pieces; i++) {
    const piece = content.slice(i * size, (i + 1) * size);
    chunks.push({ ...base, choices: [{ index: 0, delta: { content: piece }, logprobs: null, finish_reason: null }] });
  }
  chunks.push({
    ...base,
    choices: [{ index: 0, delta: {}, logprobs: null, finish_reason: init.finishReason ?? 'stop' }],
  });
  const usage = init.usage === undefined ? (init.chatUsage ?? defaults.chatUsage) : init.usage;
  if (init.includeUsage && usage) chunks.push({ ...base, choices: [], usage });
  return chunks;
}

export interface ResponseInit extends Partial<DefaultOptions> {
  model?: string;
  id?: string;
  status?: string;
  usage?: Record<string, unknown> | null;
}

export function response(init: ResponseInit = {}): Record<string, unknown> {
  const defaults = initialDefaults();
  const usage = init.usage === undefined ? (init.responsesUsage ?? defaults.responsesUsage) : init.usage;
  return {
    id: init.id ?? 'resp_fake_1',
    object: 'response',
    created_at: 1_700_000_000,
    status: init.status ?? 'completed',
    model: init.responseModel ?? init.model ?? 'gpt-4o',
    output: [
      {
        type: 'message',
        id: 'msg_fake_1',
        status: 'completed',
        role: 'assistant',
        content: [{ type: 'output_text', text: init.content ?? defaults.content, annotations: [] }],
      },
    ],
    usage: usage ?? null,
    ...(init.serviceTier ? { service_tier: init.serviceTier } : {}),
  };
}

/** The SSE events of a streamed response (`response.created` ... `response.completed`). */
export function responseEvents(init: ResponseInit = {}): SseEvent[] {
  const final = response(init);
  const created = { ...final, status: 'in_progress', output: [], usage: null };
  const text = init.content ?? initialDefaults().content;
  const events: SseEvent[] = [
    { event: 'response.created', data: { type: 'response.created', response: created, sequence_number: 0 } },
  ];
  let seq = 1;
  for (const word of text.split(/(?<= )/)) {
    events.push({
      event: 'response.output_text.delta',
      data: {
        type: 'response.output_text.delta',
        item_id: 'msg_fake_1',
        output_index: 0,
        content_index: 0,
        delta: word,
        sequence_number: seq++,
      },
    });
  }
  events.push({
    event: 'response.completed',
    data: { type: 'response.completed', response: final, sequence_number: seq },
  });
  return events;
}

export function embeddings(init: {
  model?: string;
  input?: unknown;
  encodingFormat?: string;
  promptTokens?: number;
}): Record<string, unknown> {
  const inputs = Array.isArray(init.input) ? init.input : [init.input ?? ''];
  const vector = [0.25, -0.5, 0.75];
  const encoded = Buffer.from(new Float32Array(vector).buffer).toString('base64');
  return {
    object: 'list',
    data: inputs.map((_, index) => ({
      object: 'embedding',
      index,
      embedding: init.encodingFormat === 'base64' ? encoded : vector,
    })),
    model: init.model ?? 'text-embedding-3-small',
    usage: { prompt_tokens: init.promptTokens ?? 8, total_tokens: init.promptTokens ?? 8 },
  };
}
