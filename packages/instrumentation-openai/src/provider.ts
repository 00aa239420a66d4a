import {
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  GEN_AI_PROVIDER_AZURE_OPENAI,
  GEN_AI_PROVIDER_DEEPSEEK,
  GEN_AI_PROVIDER_FIREWORKS,
  GEN_AI_PROVIDER_GCP_GEMINI,
  GEN_AI_PROVIDER_GROQ,
  GEN_AI_PROVIDER_MISTRAL_AI,
  GEN_AI_PROVIDER_OPENAI,
  GEN_AI_PROVIDER_OPENROUTER,
  GEN_AI_PROVIDER_PERPLEXITY,
  GEN_AI_PROVIDER_TOGETHER,
  GEN_AI_PROVIDER_X_AI,
} from '@agentburn/core';
import type { Attributes } from '@opentelemetry/api';

/** Host suffix -> provider, for the OpenAI-compatible endpoints users point the SDK at. */
const HOST_PROVIDERS: ReadonlyArray<readonly [string, string]> = [
  ['api.openai.com', GEN_AI_PROVIDER_OPENAI],
  ['.openai.azure.com', GEN_AI_PROVIDER_AZURE_OPENAI],
  ['.cognitiveservices.azure.com', GEN_AI_PROVIDER_AZURE_OPENAI],
  ['api.groq.com', GEN_AI_PROVIDER_GROQ],
  ['api.deepseek.com', GEN_AI_PROVIDER_DEEPSEEK],
  ['openrouter.ai', GEN_AI_PROVIDER_OPENROUTER],
  ['api.together.xyz', GEN_AI_PROVIDER_TOGETHER],
  ['api.together.ai', GEN_AI_PROVIDER_TOGETHER],
  ['api.fireworks.ai', GEN_AI_PROVIDER_FIREWORKS],
  ['api.mistral.ai', GEN_AI_PROVIDER_MISTRAL_AI],
  ['api.x.ai', GEN_AI_PROVIDER_X_AI],
  ['api.perplexity.ai', GEN_AI_PROVIDER_PERPLEXITY],
  ['generativelanguage.googleapis.com', GEN_AI_PROVIDER_GCP_GEMINI],
];

function providerForHost(host: string): string {
  for (const [suffix, provider] of HOST_PROVIDERS) {
    if (host === suffix || host.endsWith(suffix.startsWith('.') ? suffix : `.${suffix}`)) return provider;
  }
  // Localhost, proxies and unknown gateways speak the OpenAI API: price as OpenAI.
  return GEN_AI_PROVIDER_OPENAI;
}

/** The subset of an SDK client this file reads. */
export interface ClientLike {
  baseURL?: unknown;
  constructor?: { name?: string };
}

/** Endpoint attributes per client, recomputed only when its base URL changes. */
const cache = new WeakMap<object, { baseURL: string; attributes: Attributes }>();
const DEFAULT_BASE_URL = 'https://api.openai.com/v1';
const defaultAttributes = parse(DEFAULT_BASE_URL, false);

/**
 * `gen_ai.provider.name`, `server.address` and `server.port` of a client,
 * from its base URL; an `AzureOpenAI` client is Azure whatever its host.
 * The returned object is shared: copy it before changing it.
 */
export function endpointAttributes(client: ClientLike | undefined): Attributes {
  if (!client || typeof client !== 'object') return defaultAttributes;
  const baseURL = typeof client.baseURL === 'string' ? client.baseURL : DEFAULT_BASE_URL;
  const hit = cache.get(client);
  if (hit !== undefined && hit.baseURL === baseURL) return hit.attributes;
  const attributes = parse(baseURL, isAzureClient(client));
  cache.set(client, { baseURL, attributes });
  return attributes;
}

function parse(baseURL: string, azure: boolean): Attributes {
  try {
    const url = new URL(baseURL);
    const host = url.hostname.toLowerCase();
    const port = url.port !== '' ? Number(url.port) : url.protocol === 'http:' ? 80 : 443;
    return {
      [ATTR_GEN_AI_PROVIDER_NAME]: azure ? GEN_AI_PROVIDER_AZURE_OPENAI : providerForHost(host),
      [ATTR_SERVER_ADDRESS]: host,
      [ATTR_SERVER_PORT]: port,
    };
  } catch {
    return { [ATTR_GEN_AI_PROVIDER_NAME]: azure ? GEN_AI_PROVIDER_AZURE_OPENAI : GEN_AI_PROVIDER_OPENAI };
  }
}

function isAzureClient(client: ClientLike | undefined): boolean {
  // Walk the class chain: a user's subclass of AzureOpenAI is still Azure.
  let proto = client ? Object.getPrototypeOf(client) : null;
  for (let depth = 0; proto && depth < 8; depth++) {
    if (proto.constructor?.name === 'AzureOpenAI') return true;
    proto = Object.getPrototypeOf(proto);
  }
  return false;
}
