import type { LlmRequestAdapter } from '@agentburn/core';
import { isObject, type JsonObject, type RequestParams } from './request';

/**
 * How a budget reads `generateContent` parameters: the model reads
 * `contents` and, from `config`, the system instruction, tool declarations
 * and response schema; `config.maxOutputTokens` caps the output (thinking
 * tokens included). Content cached with `config.cachedContent` is not seen
 * here: it is billed apart, at the cache-read price.
 */
export const generateContentRequest: LlmRequestAdapter<RequestParams> = {
  input: (params) => {
    const config = configOf(params);
    return [
      params.contents,
      config?.systemInstruction,
      config?.tools,
      config?.toolConfig,
      config?.responseSchema,
      config?.responseJsonSchema,
    ];
  },
  output: {
    get: (params) => configOf(params)?.maxOutputTokens,
    set: (params, tokens) => ({ ...params, config: { ...configOf(params), maxOutputTokens: tokens } }),
  },
};

/** `embedContent` parameters: input only, no output. */
export const embedContentRequest: LlmRequestAdapter<RequestParams> = {
  input: (params) => [params.contents],
};

function configOf(params: RequestParams): JsonObject | undefined {
  return isObject(params.config) ? params.config : undefined;
}
