import {
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MAX_TOKENS,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_REQUEST_STREAM,
  ATTR_GEN_AI_REQUEST_TEMPERATURE,
  ATTR_GEN_AI_REQUEST_TOP_P,
  GEN_AI_PROVIDER_GCP_GEMINI,
  GEN_AI_PROVIDER_GCP_VERTEX_AI,
  serverAttributes,
} from '@agentburn/core';
import type { Attributes } from '@opentelemetry/api';

/** A JSON object from the SDK or the API, read defensively: each field is checked where it is used. */
// biome-ignore lint/suspicious/noExplicitAny: wire JSON, narrowed field by field
export type JsonObject = Record<string, any>;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null;
}

/** The parts of the SDK's `ApiClient` this package reads (the `Models` module's `apiClient`). */
interface ApiClientLike {
  isVertexAI?: () => unknown;
  getBaseUrl?: () => unknown;
}

/** `gcp.vertex_ai` or `gcp.gemini`, and the endpoint, from the client the `Models` module was built with. */
export function clientAttributes(models: unknown): Attributes {
  const client = isObject(models) ? (models.apiClient as ApiClientLike | undefined) : undefined;
  let vertex = false;
  let baseUrl: unknown;
  try {
    vertex = client?.isVertexAI?.() === true;
    baseUrl = client?.getBaseUrl?.();
  } catch {
    // an odd client still gets a span
  }
  return {
    [ATTR_GEN_AI_PROVIDER_NAME]: vertex ? GEN_AI_PROVIDER_GCP_VERTEX_AI : GEN_AI_PROVIDER_GCP_GEMINI,
    ...serverAttributes(baseUrl),
  };
}

/** The parts of `generateContent` / `embedContent` / `countTokens` parameters this package reads. */
export interface RequestParams {
  model?: unknown;
  contents?: unknown;
  config?: unknown;
}

export function spanName(operation: string, params: RequestParams): string {
  return typeof params.model === 'string' && params.model !== '' ? `${operation} ${params.model}` : operation;
}

/** The attributes a span starts with, so samplers see them. */
export function requestAttributes(
  operation: string,
  params: RequestParams,
  client: Attributes,
  streaming: boolean,
): Attributes {
  const attributes: Attributes = { [ATTR_GEN_AI_OPERATION_NAME]: operation, ...client };
  if (typeof params.model === 'string') attributes[ATTR_GEN_AI_REQUEST_MODEL] = params.model;
  const config = isObject(params.config) ? params.config : undefined;
  if (isNumber(config?.maxOutputTokens)) attributes[ATTR_GEN_AI_REQUEST_MAX_TOKENS] = config.maxOutputTokens;
  if (isNumber(config?.temperature)) attributes[ATTR_GEN_AI_REQUEST_TEMPERATURE] = config.temperature;
  if (isNumber(config?.topP)) attributes[ATTR_GEN_AI_REQUEST_TOP_P] = config.topP;
  if (streaming) attributes[ATTR_GEN_AI_REQUEST_STREAM] = true;
  return attributes;
}

export function isNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

export function count(value: unknown): number | undefined {
  return isNumber(value) && value >= 0 ? value : undefined;
}
