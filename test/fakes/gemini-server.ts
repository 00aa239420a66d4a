/**
 * A fake of the Gemini REST API (and of Vertex AI's, which shares its
 * shapes) on 127.0.0.1, speaking the real wire format: camelCase JSON
 * `GenerateContentResponse` bodies, `:streamGenerateContent?alt=sse` as
 * Server-Sent Events of `data: <chunk>` frames, `:batchEmbedContents`,
 * `:predict` (Vertex embeddings), `:countTokens`, and Google-shaped error
 * bodies (`{"error":{"code":429,"message":...,"status":"RESOURCE_EXHAUSTED"}}`).
 * Shared by the instrumentation tests and the benchmarks.
 *
 * Every request is answered by the next queued reply, or, when the queue is
 * empty, by a default response built from `server.defaults`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  HeldResponses,
  listenOnLoopback,
  parseJson,
  ReplyQueue,
  readBody,
  splitUrl,
  sseFrame,
  writeJson,
  writeSseHead,
} from './http';

export interface RecordedGeminiRequest {
  method: string;
  /** Path without the query string, e.g. `/v1beta/models/gemini-2.5-flash:generateContent`. */
  path: string;
  /** The method after the colon: `generateContent`, `streamGenerateContent`, `batchEmbedContents`, ... */
  rpc: string;
  query: string;
  headers: IncomingMessage['headers'];
  body: any;
  /** True once the client went away before the response was complete. */
  abortedByClient: boolean;
}

export type GeminiReply =
  | { json: unknown; status?: number }
  /** SSE chunks; `holdAfter: n` sends n, then waits for `server.release()` or the client going away. */
  | { sse: unknown[]; holdAfter?: number }
  | { error: { code: number; status: string; message?: string } }
  | { hang: true };

export type GeminiReplyFn = (request: RecordedGeminiRequest) => GeminiReply;

export interface GeminiUsageMetadata {
  promptTokenCount?: number;
  candidatesTokenCount?: number;
  cachedContentTokenCount?: number;
  thoughtsTokenCount?: number;
  toolUsePromptTokenCount?: number;
  totalTokenCount?: number;
}

export interface GeminiDefaults {
  text: string;
  usage: GeminiUsageMetadata;
  /** Model version the responses name; defaults to the model in the path. */
  modelVersion?: string;
  responseId: string;
  /** Chunks a default stream splits the text into. */
  streamChunks: number;
}

export interface FakeGeminiServer {
  /** Base URL for the SDK's `httpOptions.baseUrl`. */
  url: string;
  port: number;
  requests: RecordedGeminiRequest[];
  reply(...replies: Array<GeminiReply | GeminiReplyFn>): void;
  release(): void;
  defaults: GeminiDefaults;
  reset(): void;
  close(): Promise<void>;
}

const initialDefaults = (): GeminiDefaults => ({
  text: 'Hello from the fake.',
  usage: { promptTokenCount: 12, candidatesTokenCount: 5, totalTokenCount: 17 },
  responseId: 'resp_fake_01',
  streamChunks: 3,
});

/** A `GenerateContentResponse` as the API returns it. */
export function geminiResponse(fields: {
  modelVersion: string;
  text?: string;
  parts?: unknown[];
  usage?: GeminiUsageMetadata;
  finishReason?: string | null;
  responseId?: string;
}): Record<string, unknown> {
  const candidate: Record<string, unknown> = {
    content: { role: 'model', parts: fields.parts ?? [{ text: fields.text ?? '' }] },
    index: 0,
  };
  if (fields.finishReason !== null) candidate.finishReason = fields.finishReason ?? 'STOP';
  const body: Record<string, unknown> = {
    candidates: [candidate],
    modelVersion: fields.modelVersion,
    responseId: fields.responseId ?? 'resp_fake_01',
  };
  if (fields.usage) body.usageMetadata = fields.usage;
  return body;
}

/**
 * The chunks the API streams for a response: the text split over `chunks`
 * chunks, each carrying the running `usageMetadata` (prompt figures from the
 * first chunk on, candidate figures growing), the last one the final usage
 * and the `finishReason`.
 */
export function geminiStreamChunks(
  fields: { modelVersion: string; text: string; usage: GeminiUsageMetadata; responseId?: string },
  chunks = 3,
): Record<string, unknown>[] {
  const pieces = split(fields.text, chunks);
  return pieces.map((piece, i) => {
    const last = i === pieces.length - 1;
    const usage = last
      ? fields.usage
      : {
          promptTokenCount: fields.usage.promptTokenCount,
          cachedContentTokenCount: fields.usage.cachedContentTokenCount,
          candidatesTokenCount: i + 1,
          totalTokenCount: (fields.usage.promptTokenCount ?? 0) + i + 1,
        };
    return geminiResponse({
      modelVersion: fields.modelVersion,
      text: piece,
      usage: JSON.parse(JSON.stringify(usage)),
      finishReason: last ? 'STOP' : null,
      responseId: fields.responseId,
    });
  });
}

function split(text: string, parts: number): string[] {
  const size = Math.max(1, Math.ceil(text.length / Math.max(1, parts)));
  const pieces: string[] = [];
  for (let i = 0; i < text.length; i += size) pieces.push(text.slice(i, i + size));
  return pieces.length > 0 ? pieces : [''];
}

/** `models/gemini-2.5-flash:generateContent` -> `gemini-2.5-flash`. */
function modelOf(path: string): string {
  const resource = path.slice(0, path.lastIndexOf(':'));
  return resource.slice(resource.lastIndexOf('/') + 1);
}

export async function startGeminiServer(): Promise<FakeGeminiServer> {
  const requests: RecordedGeminiRequest[] = [];
  const queue = new ReplyQueue<GeminiReply, RecordedGeminiRequest>();
  const held = new HeldResponses();

  const fake: FakeGeminiServer = {
    url: '',
    port: 0,
    requests,
    reply: (...replies) => queue.push(...replies),
    release: () => held.release(),
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
    readBody(req).then(
      (raw) => {
        const { path, query } = splitUrl(req);
        const recorded: RecordedGeminiRequest = {
          method: req.method ?? 'GET',
          path,
          rpc: path.includes(':') ? path.slice(path.lastIndexOf(':') + 1) : '',
          query,
          headers: req.headers,
          body: parseJson(raw.toString('utf8')),
          abortedByClient: false,
        };
        res.on('close', () => {
          if (!res.writableFinished) recorded.abortedByClient = true;
        });
        requests.push(recorded);
        const reply = queue.next(recorded, (request) => defaultReply(request, fake.defaults));
        send(res, reply, held);
      },
      () => {},
    );
  });
  fake.port = server.port;
  fake.url = server.origin;
  return fake;
}

function defaultReply(request: RecordedGeminiRequest, defaults: GeminiDefaults): GeminiReply {
  const modelVersion = defaults.modelVersion ?? modelOf(request.path);
  switch (request.rpc) {
    case 'generateContent':
      return {
        json: geminiResponse({
          modelVersion,
          text: defaults.text,
          usage: defaults.usage,
          responseId: defaults.responseId,
        }),
      };
    case 'streamGenerateContent':
      return {
        sse: geminiStreamChunks(
          { modelVersion, text: defaults.text, usage: defaults.usage, responseId: defaults.responseId },
          defaults.streamChunks,
        ),
      };
    case 'batchEmbedContents': {
      const count = Array.isArray(request.body?.requests) ? request.body.requests.length : 1;
      return { json: { embeddings: Array.from({ length: count }, () => ({ values: [0.1, 0.2, 0.3] })) } };
    }
    case 'predict': {
      // Vertex AI's text-embedding models: one prediction per instance, with its token count.
      const instances: unknown[] = Array.isArray(request.body?.instances) ? request.body.instances : [];
      return {
        json: {
          predictions: instances.map((instance: any) => ({
            embeddings: {
              values: [0.1, 0.2, 0.3],
              statistics: { token_count: wordCount(instance?.content), truncated: false },
            },
          })),
          metadata: { billableCharacterCount: 0 },
        },
      };
    }
    case 'countTokens':
      return { json: { totalTokens: defaults.usage.promptTokenCount ?? 0 } };
    default:
      return { error: { code: 404, status: 'NOT_FOUND', message: `No route for ${request.path}` } };
  }
}

/** A stand-in tokenizer for the fake: one token per word. */
function wordCount(text: unknown): number {
  return typeof text === 'string' ? text.split(/\s+/).filter(Boolean).length : 0;
}

function send(res: ServerResponse, reply: GeminiReply, held: HeldResponses): void {
  if ('hang' in reply) return;
  if ('json' in reply) {
    writeJson(res, reply.status ?? 200, reply.json);
    return;
  }
  if ('error' in reply) {
    const { code, status, message } = reply.error;
    writeJson(res, code, { error: { code, message: message ?? status, status } });
    return;
  }
  writeSseHead(res);
  // The API separates its frames with CRLF pairs.
  held.write(
    res,
    reply.sse.map((chunk) => sseFrame(chunk).replace(/\n/g, '\r\n')),
    reply.holdAfter,
  );
}
