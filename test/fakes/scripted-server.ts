/**
 * The plumbing the Gemini and Bedrock fakes share: a loopback server that
 * reads and records every request (body parsed as JSON, whether the client
 * went away early), answers each with the next scripted reply or a default,
 * and streams replies frame by frame, optionally held part-way. Each fake
 * supplies only its own wire format: how a request is recorded, the
 * default reply, and how a reply is written.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HeldResponses, listenOnLoopback, parseJson, ReplyQueue, readBody, splitUrl } from './http';

/** What every recorded request carries. */
export interface RecordedRequest {
  method: string;
  /** Path without the query string. */
  path: string;
  /** The query string, without `?`. */
  query: string;
  headers: IncomingMessage['headers'];
  // biome-ignore lint/suspicious/noExplicitAny: arbitrary JSON, read freely by the tests
  body: any;
  /** True once the client went away before the response was complete. */
  abortedByClient: boolean;
}

export interface ScriptedServer<Reply, Recorded, Defaults> {
  /** `http://127.0.0.1:<port>`, for the SDK's base URL or endpoint. */
  url: string;
  port: number;
  requests: Recorded[];
  /** Queues replies, answered in order; a function is called with the request. */
  reply(...replies: Array<Reply | ((request: Recorded) => Reply)>): void;
  /** Sends the rest of every held stream. */
  release(): void;
  /** What the default replies are built from; `reset()` restores them. */
  defaults: Defaults;
  reset(): void;
  close(): Promise<void>;
}

export interface ScriptedServerSpec<Reply, Recorded extends RecordedRequest, Defaults> {
  /** Also speak cleartext HTTP/2 (see `listenOnLoopback`). */
  http2?: boolean;
  initialDefaults(): Defaults;
  /** The fake's own record of a request, from the fields every fake records. */
  record(request: RecordedRequest): Recorded;
  /** An answer that overrides the script (an unsigned request's 403), else undefined. */
  gate?(request: Recorded, req: IncomingMessage): Reply | undefined;
  defaultReply(request: Recorded, defaults: Defaults): Reply;
  /** Writes `reply` in the fake's wire format; streams go through `writeFrames` with `held`. */
  send(res: ServerResponse, reply: Reply, held: HeldResponses): void;
}

export async function startScriptedServer<Reply, Recorded extends RecordedRequest, Defaults>(
  spec: ScriptedServerSpec<Reply, Recorded, Defaults>,
): Promise<ScriptedServer<Reply, Recorded, Defaults>> {
  const requests: Recorded[] = [];
  const queue = new ReplyQueue<Reply, Recorded>();
  const held = new HeldResponses();

  const fake: ScriptedServer<Reply, Recorded, Defaults> = {
    url: '',
    port: 0,
    requests,
    reply: (...replies) => queue.push(...replies),
    release: () => held.release(),
    defaults: spec.initialDefaults(),
    reset: () => {
      fake.release();
      requests.length = 0;
      queue.clear();
      fake.defaults = spec.initialDefaults();
    },
    close: () => {
      fake.release();
      return server.close();
    },
  };

  const server = await listenOnLoopback(
    (req, res) => {
      readBody(req).then(
        (raw) => {
          const { path, query } = splitUrl(req);
          const recorded = spec.record({
            method: req.method ?? 'GET',
            path,
            query,
            headers: req.headers,
            body: parseJson(raw.toString('utf8')),
            abortedByClient: false,
          });
          res.on('close', () => {
            if (!res.writableFinished) recorded.abortedByClient = true;
          });
          requests.push(recorded);
          const reply =
            spec.gate?.(recorded, req) ?? queue.next(recorded, (request) => spec.defaultReply(request, fake.defaults));
          spec.send(res, reply, held);
        },
        () => {},
      );
    },
    { http2: spec.http2 === true },
  );
  fake.port = server.port;
  fake.url = server.origin;
  return fake;
}

/**
 * A 200 streamed response: `frames` (SSE text or binary event-stream
 * messages) up to `holdAfter`, the rest once `release()` is called, unless
 * the client went away first.
 */
export function writeFrames(
  res: ServerResponse,
  held: HeldResponses,
  stream: { contentType: string; frames: ReadonlyArray<string | Uint8Array>; holdAfter?: number },
  headers: Record<string, string> = {},
): void {
  res.writeHead(200, { 'content-type': stream.contentType, ...headers });
  held.write(res, stream.frames, stream.holdAfter);
}

/** `text` in `parts` pieces of about equal length (at least one piece, maybe empty), for streamed replies. */
export function splitText(text: string, parts: number): string[] {
  const size = Math.max(1, Math.ceil(text.length / Math.max(1, parts)));
  const pieces: string[] = [];
  for (let i = 0; i < text.length; i += size) pieces.push(text.slice(i, i + size));
  return pieces.length > 0 ? pieces : [''];
}
