import {
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MAX_TOKENS,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_REQUEST_STREAM,
  ATTR_GEN_AI_REQUEST_TEMPERATURE,
  ATTR_GEN_AI_REQUEST_TOP_P,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  GEN_AI_OPERATION_CHAT,
  GEN_AI_OPERATION_EMBEDDINGS,
  GEN_AI_PROVIDER_AWS_BEDROCK,
} from '@agentburn/core';
import type { Attributes } from '@opentelemetry/api';
import { isObject, type JsonObject } from './usage';

export type CommandKind = 'converse' | 'converse_stream' | 'invoke' | 'invoke_stream';

/** The inference commands this package traces, by their SDK class name. */
export const COMMAND_KINDS: Readonly<Record<string, CommandKind>> = {
  ConverseCommand: 'converse',
  ConverseStreamCommand: 'converse_stream',
  InvokeModelCommand: 'invoke',
  InvokeModelWithResponseStreamCommand: 'invoke_stream',
};

export interface Command {
  kind: CommandKind;
  input: JsonObject;
}

/**
 * A copy of the SDK command `command` that sends `input` instead: same
 * class, the middleware the caller added kept (in a clone of its stack),
 * the caller's command and its input left as they were.
 */
export function withInput(command: unknown, input: JsonObject): unknown {
  const original = command as JsonObject;
  const copy = Object.assign(Object.create(Object.getPrototypeOf(original)), original, { input });
  if (typeof original.middlewareStack?.clone === 'function') copy.middlewareStack = original.middlewareStack.clone();
  return copy;
}

export function isStreaming(kind: CommandKind): boolean {
  return kind === 'converse_stream' || kind === 'invoke_stream';
}

/**
 * Converse calls are `chat`; InvokeModel calls too, except on embedding
 * models (`amazon.titan-embed-*`, `cohere.embed-*`), which are `embeddings`.
 */
export function operationName(command: Command): string {
  const model = command.input.modelId;
  if (command.kind.startsWith('invoke') && typeof model === 'string' && /embed/i.test(model)) {
    return GEN_AI_OPERATION_EMBEDDINGS;
  }
  return GEN_AI_OPERATION_CHAT;
}

export function spanName(operation: string, command: Command): string {
  const model = command.input.modelId;
  return typeof model === 'string' && model !== '' ? `${operation} ${model}` : operation;
}

/**
 * The attributes a span starts with, so samplers see them. The model id is
 * kept as Bedrock spells it (a cross-region inference profile such as
 * `us.anthropic.claude-...`, or an ARN): the price lookup knows those forms.
 * InvokeModel bodies are the model's own format and are not read here.
 */
export function requestAttributes(operation: string, command: Command): Attributes {
  const attributes: Attributes = {
    [ATTR_GEN_AI_OPERATION_NAME]: operation,
    [ATTR_GEN_AI_PROVIDER_NAME]: GEN_AI_PROVIDER_AWS_BEDROCK,
  };
  const { input } = command;
  if (typeof input.modelId === 'string') attributes[ATTR_GEN_AI_REQUEST_MODEL] = input.modelId;
  const config = isObject(input.inferenceConfig) ? input.inferenceConfig : undefined;
  if (isNumber(config?.maxTokens)) attributes[ATTR_GEN_AI_REQUEST_MAX_TOKENS] = config.maxTokens;
  if (isNumber(config?.temperature)) attributes[ATTR_GEN_AI_REQUEST_TEMPERATURE] = config.temperature;
  if (isNumber(config?.topP)) attributes[ATTR_GEN_AI_REQUEST_TOP_P] = config.topP;
  if (isStreaming(command.kind)) attributes[ATTR_GEN_AI_REQUEST_STREAM] = true;
  return attributes;
}

/** The parts of the client's resolved config this package reads: providers, as the SDK resolves them. */
interface ClientConfig {
  endpoint?: () => Promise<{ hostname?: unknown; port?: unknown; protocol?: unknown }>;
  region?: () => Promise<unknown>;
}

/**
 * `server.address` and `server.port`: a custom endpoint when one is set,
 * else the regional Bedrock Runtime host. Both come from providers the SDK
 * resolves asynchronously, so they arrive after the span started.
 */
export async function serverAttributesOf(client: unknown): Promise<Attributes> {
  const config = isObject(client) ? (client.config as ClientConfig | undefined) : undefined;
  if (typeof config?.endpoint === 'function') {
    const endpoint = await config.endpoint();
    if (typeof endpoint?.hostname !== 'string') return {};
    const port = Number(endpoint.port) || (endpoint.protocol === 'http:' ? 80 : 443);
    return { [ATTR_SERVER_ADDRESS]: endpoint.hostname, [ATTR_SERVER_PORT]: port };
  }
  if (typeof config?.region === 'function') {
    const region = await config.region();
    if (typeof region === 'string' && /^[a-z0-9-]+$/.test(region)) {
      return { [ATTR_SERVER_ADDRESS]: `bedrock-runtime.${region}.amazonaws.com`, [ATTR_SERVER_PORT]: 443 };
    }
  }
  return {};
}

function isNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}
