/**
 * HTTP plumbing shared by the fake services: a loopback server on an
 * ephemeral port that drops its open connections on close, request bodies,
 * JSON and Server-Sent Events replies, and a queue of scripted replies.
 */
import { createServer, type IncomingMessage, type RequestListener, type ServerResponse } from 'node:http';
import { createServer as createHttp2Server, type Http2ServerRequest, type Http2ServerResponse } from 'node:http2';
import { type AddressInfo, createServer as createNetServer, type Socket } from 'node:net';
import { Duplex } from 'node:stream';

export interface LoopbackServer {
  port: number;
  /** `http://127.0.0.1:<port>`, without a trailing slash. */
  origin: string;
  /** Destroys open connections (held streams, keep-alive sockets), then stops listening. */
  close(): Promise<void>;
}

/**
 * Starts an HTTP server on 127.0.0.1, port 0. `http2`: also speak cleartext
 * HTTP/2 (prior knowledge) on the same port, for clients such as the AWS
 * SDK's Bedrock Runtime client, whose recent versions speak only HTTP/2:
 * each connection goes to the HTTP/2 or the HTTP/1.1 server by its first
 * bytes. The HTTP/2 request and response objects offer the calls the fakes use.
 */
export async function listenOnLoopback(
  handler: RequestListener,
  options: { http2?: boolean } = {},
): Promise<LoopbackServer> {
  const http1 = createServer(handler);
  const http2 = options.http2
    ? createHttp2Server(handler as unknown as (req: Http2ServerRequest, res: Http2ServerResponse) => void)
    : undefined;
  const sockets = new Set<Socket>();
  const server = createNetServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    if (!http2) {
      http1.emit('connection', socket);
      return;
    }
    socket.once('data', (first: Buffer) => {
      if (!first.subarray(0, HTTP2_PREFACE.length).equals(HTTP2_PREFACE)) {
        socket.pause();
        socket.unshift(first);
        http1.emit('connection', socket);
        socket.resume();
        return;
      }
      // The HTTP/2 server reads its socket natively, past what JS could unshift: hand it a stream replaying the preface.
      http2.emit('connection', replayed(socket, first));
    });
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
  return {
    port,
    origin: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A duplex over `socket` whose readable side starts with `first`, the bytes already read from it. */
function replayed(socket: Socket, first: Buffer): Duplex {
  const duplex = new Duplex({
    read() {
      socket.resume();
    },
    write(chunk, _encoding, done) {
      socket.write(chunk, done);
    },
    final(done) {
      socket.end();
      done();
    },
    destroy(error, done) {
      socket.destroy();
      done(error);
    },
  });
  duplex.push(first);
  socket.on('data', (chunk: Buffer) => {
    if (!duplex.push(chunk)) socket.pause();
  });
  socket.on('end', () => duplex.push(null));
  socket.on('close', () => duplex.destroy());
  socket.on('error', (error) => duplex.destroy(error));
  return duplex;
}

/** The first bytes of every HTTP/2 connection. */
const HTTP2_PREFACE = Buffer.from('PRI * HTTP/2.0');

export function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** The parsed JSON, or `undefined` for an empty or non-JSON body. */
// biome-ignore lint/suspicious/noExplicitAny: arbitrary JSON, read freely by the fakes and tests
export function parseJson(text: string): any {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Path without the query string, and the query string without `?`. */
export function splitUrl(req: IncomingMessage): { path: string; query: string } {
  const [path = '/', query = ''] = (req.url ?? '/').split('?');
  return { path, query };
}

/** A JSON response with its length; `headers` come last and may override. */
export function writeJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string | number> = {},
): void {
  const payload = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(payload),
    ...headers,
  });
  res.end(payload);
}

/** Starts a 200 `text/event-stream` response. */
export function writeSseHead(res: ServerResponse, headers: Record<string, string> = {}): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', ...headers });
}

/** One SSE frame: `event: <event>\n` when named, then `data: <json>\n\n`. */
export function sseFrame(data: unknown, event?: string): string {
  const named = event === undefined ? '' : `event: ${event}\n`;
  return `${named}data: ${JSON.stringify(data)}\n\n`;
}

/**
 * Scripted replies, answered in order; a function is called with the
 * request. When the queue is empty, `next` answers with the fallback.
 */
export class ReplyQueue<Reply, Request> {
  private readonly queue: Array<Reply | ((request: Request) => Reply)> = [];

  push(...replies: Array<Reply | ((request: Request) => Reply)>): void {
    this.queue.push(...replies);
  }

  next(request: Request, fallback: (request: Request) => Reply): Reply {
    const next = this.queue.shift();
    if (next === undefined) return fallback(request);
    return typeof next === 'function' ? (next as (request: Request) => Reply)(request) : next;
  }

  clear(): void {
    this.queue.length = 0;
  }
}

/** Responses paused part-way through their frames (`holdAfter`), resumed together by `release()`. */
export class HeldResponses {
  private waiting: Array<() => void> = [];

  /** Writes `frames` up to `holdAfter` (all by default); the rest once released, unless the client went away. */
  write(
    res: { write(chunk: string | Uint8Array): unknown; end(): unknown; destroyed: boolean },
    frames: ReadonlyArray<string | Uint8Array>,
    holdAfter = frames.length,
  ): void {
    for (const frame of frames.slice(0, holdAfter)) res.write(frame);
    if (holdAfter >= frames.length) {
      res.end();
      return;
    }
    this.waiting.push(() => {
      if (res.destroyed) return;
      for (const frame of frames.slice(holdAfter)) res.write(frame);
      res.end();
    });
  }

  release(): void {
    const waiting = this.waiting;
    this.waiting = [];
    for (const resume of waiting) resume();
  }
}
