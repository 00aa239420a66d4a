/**
 * A fake of the Anthropic Messages HTTP API on 127.0.0.1, speaking the real
 * wire format: JSON Message bodies, Server-Sent Events with named events
 * (`message_start`, `content_block_start`, `content_block_delta`,
 * `content_block_stop`, `message_delta`, `message_stop`, `ping`, `error`) and
 * Anthropic-shaped error bodies (`{"type":"error","error":{...}}`). Shared by
 * the instrumentation tests, the benchmarks and the examples.
 *
 * Every request is answered by the next queued reply (`server.reply(...)`),
 * or, when the queue is empty, by a default Message built from
 * `server.defaults`, streamed when the request asks for `stream: true`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { listenOnLoopback, parseJson, ReplyQueue, readBody, splitUrl, sseFrame, writeJson, writeSseHead } from './http';

export interface RecordedAnthropicRequest {
  method: string;
  /** Path without the query string, e.g. `/v1/messages`. */
  path: string;
  /** The query string without `?` (`beta=true` for the beta resource). */
  query: string;
  headers: IncomingMessage['headers'];
  /** The parsed JSON body, or `undefined` when the body was not JSON. */
  body: any;
  /** Settles when the client or the server closed this request's connection or response. */
  closed: Promise<void>;
  /** True once the client went away before the response was complete. */
  abortedByClient: boolean;
}

/** One SSE event: `event: <event>\ndata: <json>\n\n`. */
export interface AnthropicSseEvent {
  event: string;
  data: unknown;
}

export type AnthropicReply =
  /** A JSON response (status 200 unless given). */
  | { json: unknown; status?: number; headers?: Record<string, string> }
  /**
   * An SSE response. `holdAfter: n` sends the first n events, then waits for
   * `server.release()` (or the client going away) before sending the rest.
   */
  | { sse: AnthropicSseEvent[]; holdAfter?: number; headers?: Record<string, string> }
  /** An Anthropic-shaped error response, e.g. `{ status: 529, type: 'overloaded_error' }`. */
  | { error: { status: number; type: string; message?: string }; headers?: Record<string, string> }
  /** Accept the request and never answer (client timeouts). */
  | { hang: true };

export type AnthropicReplyFn = (request: RecordedAnthropicRequest) => AnthropicReply;

export interface AnthropicUsage {
  input_tokens: number;
  output_tokens: number;
  cache_read_input_tokens?: number | null;
  cache_creation_input_tokens?: number | null;
  cache_creation?: { ephemeral_5m_input_tokens: number; ephemeral_1h_input_tokens: number } | null;
  [key: string]: unknown;
}

export interface AnthropicDefaults {
  /** Text of the assistant message. */
  text: string;
  /** Number of `text_delta` events a default stream splits the text into. */
  streamChunks: number;
  usage: AnthropicUsage;
  stopReason: string;
  /** Response model; defaults to the request model. */
  responseModel?: string;
  id: string;
}

export interface FakeAnthropicServer {
  /** Base URL to pass as the SDK's `baseURL` (the SDK appends `/v1/messages`). */
  url: string;
  port: number;
  /** Every request received, in order. */
  requests: RecordedAnthropicRequest[];
  /** Queues replies for the next requests, in order. */
  reply(...replies: Array<AnthropicReply | AnthropicReplyFn>): void;
  /** Lets held SSE responses (`holdAfter`) send the rest of their events. */
  release(): void;
  /** Defaults used when the queue is empty; mutate per test. */
  defaults: AnthropicDefaults;
  /** Clears recorded requests and queued replies, releases held responses, restores the defaults. */
  reset(): void;
  close(): Promise<void>;
}

const initialDefaults = (): AnthropicDefaults => ({
  text: 'Hello from the fake.',
  streamChunks: 3,
  usage: { input_tokens: 12, output_tokens: 5, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 },
  stopReason: 'end_turn',
  id: 'msg_fake_01',
});

/** A complete Message body as the API returns it. */
export function anthropicMessage(fields: {
  id?: string;
  model: string;
  text?: string;
  content?: unknown[];
  usage: AnthropicUsage;
  stopReason?: string;
}): Record<string, unknown> {
  return {
    id: fields.id ?? 'msg_fake_01',
    type: 'message',
    role: 'assistant',
    model: fields.model,
    content: fields.content ?? [{ type: 'text', text: fields.text ?? '' }],
    stop_reason: fields.stopReason ?? 'end_turn',
    stop_sequence: null,
    usage: fields.usage,
  };
}

/**
 * The events the API streams for `message`: `message_start` carries the input
 * and cache usage with a placeholder output count, `message_delta` the
 * cumulative output count (and, when `finalUsage` is given, the updated input
 * and cache figures newer API versions send there too).
 */
export function anthropicStreamEvents(
  message: Record<string, any>,
  options: { chunks?: number; finalUsage?: Record<string, unknown>; ping?: boolean } = {},
): AnthropicSseEvent[] {
  const usage = message.usage as AnthropicUsage;
  const events: AnthropicSseEvent[] = [
    {
      event: 'message_start',
      data: {
        type: 'message_start',
        message: {
          ...message,
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: { ...usage, output_tokens: 1 },
        },
      },
    },
  ];
  if (options.ping !== false) events.push({ event: 'ping', data: { type: 'ping' } });
  const blocks = (message.content ?? []) as Array<Record<string, any>>;
  blocks.forEach((block, index) => {
    if (block.type === 'text') {
      events.push({
        event: 'content_block_start',
        data: { type: 'content_block_start', index, content_block: { type: 'text', text: '' } },
      });
      for (const piece of split(block.text as string, options.chunks ?? 3)) {
        events.push({
          event: 'content_block_delta',
          data: { type: 'content_block_delta', index, delta: { type: 'text_delta', text: piece } },
        });
      }
    } else if (block.type === 'tool_use') {
      events.push({
        event: 'content_block_start',
        data: { type: 'content_block_start', index, content_block: { ...block, input: {} } },
      });
      events.push({
        event: 'content_block_delta',
        data: {
          type: 'content_block_delta',
          index,
          delta: { type: 'input_json_delta', partial_json: JSON.stringify(block.input) },
        },
      });
    } else {
      events.push({ event: 'content_block_start', data: { type: 'content_block_start', index, content_block: block } });
    }
    events.push({ event: 'content_block_stop', data: { type: 'content_block_stop', index } });
  });
  events.push({
    event: 'message_delta',
    data: {
      type: 'message_delta',
      delta: { stop_reason: message.stop_reason, stop_sequence: null },
      usage: options.finalUsage ?? { output_tokens: usage.output_tokens },
    },
  });
  events.push({ event: 'message_stop', data: { type: 'message_stop' } });
  return events;
}

function split(text: string, parts: number): string[] {
  const size = Math.max(1, Math.ceil(text.length / Math.max(1, parts)));
  const pieces: string[] = [];
  for (let i = 0; i < text.length; i += size) pieces.push(text.slice(i, i + size));
  return pieces.length > 0 ? pieces : [''];
}

export async function startAnthropicServer(): Promise<FakeAnthropicServer> {
  const requests: RecordedAnthropicRequest[] = [];
  const queue = new ReplyQueue<AnthropicReply, RecordedAnthropicRequest>();
  let releaseHeld: Array<() => void> = [];

  const fake: FakeAnthropicServer = {
    url: '',
    port: 0,
    requests,
    reply: (...replies) => queue.push(...replies),
    release: () => {
      const held = releaseHeld;
      releaseHeld = [];
      for (const resume of held) resume();
    },
    defaults: initialDefaults(),
    reset: () => {
      fake.release();
      requests.length = 0;
      queue.clear();
      fake.defaults = initialDefaults();
    },
    close: () => {
      fake.release();
      return server.close();
    },
  };

  const server = await listenOnLoopback((req, res) => {
    // A request the client abandons mid-body is never answered.
    readBody(req).then(
      (raw) => {
        let markClosed!: () => void;
        const recorded: RecordedAnthropicRequest = {
          method: req.method ?? 'GET',
          ...splitUrl(req),
          headers: req.headers,
          body: parseJson(raw.toString('utf8')),
          closed: new Promise<void>((resolve) => {
            markClosed = resolve;
          }),
          abortedByClient: false,
        };
        res.on('close', () => {
          if (!res.writableFinished) recorded.abortedByClient = true;
          markClosed();
        });
        requests.push(recorded);
        const reply = queue.next(recorded, (request) => defaultReply(request, fake.defaults));
        send(res, reply, (resume) => releaseHeld.push(resume));
      },
      () => {},
    );
  });
  fake.port = server.port;
  fake.url = server.origin;
  return fake;
}

function defaultReply(request: RecordedAnthropicRequest, defaults: AnthropicDefaults): AnthropicReply {
  if (request.method === 'POST' && request.path === '/v1/messages/count_tokens') {
    return { json: { input_tokens: defaults.usage.input_tokens } };
  }
  if (request.method !== 'POST' || request.path !== '/v1/messages') {
    return { error: { status: 404, type: 'not_found_error', message: `No route for ${request.path}` } };
  }
  const message = anthropicMessage({
    id: defaults.id,
    model: defaults.responseModel ?? request.body?.model ?? 'claude-unknown',
    text: defaults.text,
    usage: defaults.usage,
    stopReason: defaults.stopReason,
  });
  if (request.body?.stream === true) return { sse: anthropicStreamEvents(message, { chunks: defaults.streamChunks }) };
  return { json: message };
}

const BASE_HEADERS = { 'request-id': 'req_fake_01' };

function send(res: ServerResponse, reply: AnthropicReply, hold: (resume: () => void) => void): void {
  if ('hang' in reply) return;
  if ('json' in reply) {
    writeJson(res, reply.status ?? 200, reply.json, { ...BASE_HEADERS, ...reply.headers });
    return;
  }
  if ('error' in reply) {
    const { status, type, message } = reply.error;
    writeJson(
      res,
      status,
      { type: 'error', error: { type, message: message ?? type } },
      // Tell the SDK to retry almost at once when a test enables retries.
      { ...BASE_HEADERS, 'retry-after-ms': '1', ...reply.headers },
    );
    return;
  }
  writeSseHead(res, { ...BASE_HEADERS, ...reply.headers });
  const encode = (event: AnthropicSseEvent) => sseFrame(event.data, event.event);
  const { sse } = reply;
  const holdAfter = reply.holdAfter ?? sse.length;
  res.write(sse.slice(0, holdAfter).map(encode).join(''));
  if (holdAfter >= sse.length) {
    res.end();
    return;
  }
  hold(() => {
    if (res.destroyed) return;
    res.end(sse.slice(holdAfter).map(encode).join(''));
  });
}
