/**
 * A fake of the Amazon Bedrock Runtime API on 127.0.0.1, speaking its real
 * wire format over HTTP/2 (the SDK's only transport for this service): REST-JSON `POST /model/{modelId}/converse` and `/invoke`
 * (the model's own JSON body), the streaming `/converse-stream` and
 * `/invoke-with-response-stream` as `application/vnd.amazon.eventstream`
 * binary frames (encoded with the codec the SDK decodes with), AWS-shaped
 * errors (`x-amzn-errortype`, `{"message":...}`) and in-stream exception
 * frames. Requests must be SigV4-signed, as the real service requires.
 * Shared by the instrumentation tests and the benchmarks.
 *
 * Every request is answered by the next queued reply, or, when the queue is
 * empty, by a default built from `server.defaults`.
 */
import type { ServerResponse } from 'node:http';
import { EventStreamCodec } from '@smithy/eventstream-codec';
import { type HeldResponses, writeJson } from './http';
import {
  type RecordedRequest,
  type ScriptedServer,
  splitText,
  startScriptedServer,
  writeFrames,
} from './scripted-server';

const EVENT_STREAM = 'application/vnd.amazon.eventstream';

export interface RecordedBedrockRequest extends RecordedRequest {
  /** `converse`, `converse-stream`, `invoke` or `invoke-with-response-stream`. */
  action: string;
  /** The decoded `{modelId}` path segment. */
  modelId: string;
}

/** One event of an event stream: `{ event: 'chunk', data }`, or an exception frame. */
export type BedrockStreamEvent = { event: string; data: unknown } | { exception: string; message: string };

export type BedrockReply =
  /** A JSON body: a Converse response, or a model's own body for InvokeModel. */
  | { json: unknown; status?: number; headers?: Record<string, string> }
  /** An event stream; `holdAfter: n` sends n frames, then waits for `server.release()` or the client going away. */
  | { events: BedrockStreamEvent[]; holdAfter?: number }
  /** An AWS error: `{ status: 429, type: 'ThrottlingException' }`. */
  | { error: { status: number; type: string; message?: string } }
  | { hang: true };

export type BedrockReplyFn = (request: RecordedBedrockRequest) => BedrockReply;

export interface ConverseUsage {
  inputTokens: number;
  outputTokens: number;
  totalTokens?: number;
  cacheReadInputTokens?: number;
  cacheWriteInputTokens?: number;
  cacheDetails?: Array<{ ttl: '5m' | '1h'; inputTokens: number }>;
}

export interface BedrockDefaults {
  text: string;
  usage: ConverseUsage;
  stopReason: string;
}

export type FakeBedrockServer = ScriptedServer<BedrockReply, RecordedBedrockRequest, BedrockDefaults>;

const initialDefaults = (): BedrockDefaults => ({
  text: 'Hello from the fake.',
  usage: { inputTokens: 12, outputTokens: 5, totalTokens: 17 },
  stopReason: 'end_turn',
});

const codec = new EventStreamCodec(
  (bytes) => new TextDecoder().decode(bytes),
  (text) => new TextEncoder().encode(text),
);

/** One binary event-stream frame, as the service sends it. */
export function eventStreamFrame(event: BedrockStreamEvent): Uint8Array {
  const json = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
  if ('exception' in event) {
    return codec.encode({
      headers: {
        ':message-type': { type: 'string', value: 'exception' },
        ':exception-type': { type: 'string', value: event.exception },
        ':content-type': { type: 'string', value: 'application/json' },
      },
      body: json({ message: event.message }),
    });
  }
  return codec.encode({
    headers: {
      ':message-type': { type: 'string', value: 'event' },
      ':event-type': { type: 'string', value: event.event },
      ':content-type': { type: 'string', value: 'application/json' },
    },
    body: json(event.data),
  });
}

/** A Converse response body. */
export function converseResponse(fields: {
  text?: string;
  content?: unknown[];
  usage: ConverseUsage;
  stopReason?: string;
}) {
  return {
    output: { message: { role: 'assistant', content: fields.content ?? [{ text: fields.text ?? '' }] } },
    stopReason: fields.stopReason ?? 'end_turn',
    usage: { totalTokens: fields.usage.inputTokens + fields.usage.outputTokens, ...fields.usage },
    metrics: { latencyMs: 120 },
  };
}

/** The ConverseStream events for a text reply: start, deltas, stop, then `metadata` with the usage. */
export function converseStreamEvents(
  fields: { text: string; usage: ConverseUsage; stopReason?: string },
  chunks = 3,
): BedrockStreamEvent[] {
  return [
    { event: 'messageStart', data: { role: 'assistant' } },
    { event: 'contentBlockStart', data: { contentBlockIndex: 0, start: {} } },
    ...splitText(fields.text, chunks).map((text) => ({
      event: 'contentBlockDelta',
      data: { contentBlockIndex: 0, delta: { text } },
    })),
    { event: 'contentBlockStop', data: { contentBlockIndex: 0 } },
    { event: 'messageStop', data: { stopReason: fields.stopReason ?? 'end_turn' } },
    {
      event: 'metadata',
      data: {
        usage: { totalTokens: fields.usage.inputTokens + fields.usage.outputTokens, ...fields.usage },
        metrics: { latencyMs: 120 },
      },
    },
  ];
}

/** InvokeModelWithResponseStream events: each model chunk as `{ bytes: base64(JSON) }` in a `chunk` event. */
export function invokeStreamEvents(chunks: unknown[]): BedrockStreamEvent[] {
  return chunks.map((chunk) => ({
    event: 'chunk',
    data: { bytes: Buffer.from(JSON.stringify(chunk)).toString('base64') },
  }));
}

const ROUTE = /^\/model\/([^/]+)\/(converse|converse-stream|invoke|invoke-with-response-stream)$/;
/** What a SigV4 `Authorization` header looks like. */
const SIGV4 =
  /^AWS4-HMAC-SHA256 Credential=[^/]+\/\d{8}\/[a-z0-9-]+\/bedrock\/aws4_request, SignedHeaders=[^,]+, Signature=[0-9a-f]{64}$/;

export function startBedrockServer(): Promise<FakeBedrockServer> {
  return startScriptedServer<BedrockReply, RecordedBedrockRequest, BedrockDefaults>({
    http2: true,
    initialDefaults,
    record: (request) => {
      const route = ROUTE.exec(request.path);
      return { ...request, action: route?.[2] ?? '', modelId: route ? decodeURIComponent(route[1]!) : '' };
    },
    // The real service refuses a request that is not SigV4-signed.
    gate: (_request, req) =>
      SIGV4.test(String(req.headers.authorization ?? '')) && req.headers['x-amz-date']
        ? undefined
        : { error: { status: 403, type: 'AccessDeniedException', message: 'Missing Authentication Token' } },
    defaultReply,
    send,
  });
}

function defaultReply(request: RecordedBedrockRequest, defaults: BedrockDefaults): BedrockReply {
  switch (request.action) {
    case 'converse':
      return { json: converseResponse(defaults) };
    case 'converse-stream':
      return { events: converseStreamEvents(defaults) };
    default:
      return { error: { status: 404, type: 'ResourceNotFoundException', message: `No default for ${request.path}` } };
  }
}

function send(res: ServerResponse, reply: BedrockReply, held: HeldResponses): void {
  const requestId = { 'x-amzn-requestid': 'req-fake-0001' };
  if ('hang' in reply) return;
  if ('json' in reply) {
    writeJson(res, reply.status ?? 200, reply.json, { ...requestId, ...reply.headers });
    return;
  }
  if ('error' in reply) {
    const { status, type, message } = reply.error;
    writeJson(
      res,
      status,
      { message: message ?? type },
      { ...requestId, 'x-amzn-errortype': `${type}:http://internal.amazon.com/coral/com.amazon.bedrock/` },
    );
    return;
  }
  const frames = reply.events.map(eventStreamFrame);
  writeFrames(res, held, { contentType: EVENT_STREAM, frames, holdAfter: reply.holdAfter }, requestId);
}
