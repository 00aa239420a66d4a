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
import type { ServerResponse } from 'node:http';
import { type HeldResponses, sseFrame, writeJson } from './http';
import {
  type RecordedRequest,
  type ScriptedServer,
  splitText,
  startScriptedServer,
  writeFrames,
} from './scripted-server';

const SSE_HEADERS = { 'cache-control': 'no-cache' };

export interface RecordedGeminiRequest extends RecordedRequest {
  /** The method after the colon: `generateContent`, `streamGenerateContent`, `batchEmbedContents`, ... */
  rpc: string;
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

export type FakeGeminiServer = ScriptedServer<GeminiReply, RecordedGeminiRequest, GeminiDefaults>;

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
  const pieces = splitText(fields.text, chunks);
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

/** `models/gemini-2.5-flash:generateContent` -> `gemini-2.5-flash`. */
function modelOf(path: string): string {
  const resource = path.slice(0, path.lastIndexOf(':'));
  return resource.slice(resource.lastIndexOf('/') + 1);
}

export function startGeminiServer(): Promise<FakeGeminiServer> {
  return startScriptedServer<GeminiReply, RecordedGeminiRequest, GeminiDefaults>({
    initialDefaults,
    record: (request) => ({
      ...request,
      rpc: request.path.includes(':') ? request.path.slice(request.path.lastIndexOf(':') + 1) : '',
    }),
    defaultReply,
    send,
  });
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
  // The API separates its frames with CRLF pairs.
  const frames = reply.sse.map((chunk) => sseFrame(chunk).replace(/\n/g, '\r\n'));
  writeFrames(res, held, { contentType: 'text/event-stream', frames, holdAfter: reply.holdAfter }, SSE_HEADERS);
}
