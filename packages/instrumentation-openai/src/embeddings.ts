import {
  ATTR_GEN_AI_INPUT_MESSAGES,
  ATTR_GEN_AI_REQUEST_ENCODING_FORMATS,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_RESPONSE_MODEL,
  GEN_AI_OPERATION_EMBEDDINGS,
} from '@agentburn/core';
import type { Attributes } from '@opentelemetry/api';
import { type Operation, setIf, stringOrUndefined, toJson } from './operation';
import { addChatUsage } from './usage';

/** `embeddings.create`: input tokens only, never streamed. */
export const embeddings: Operation = {
  name: GEN_AI_OPERATION_EMBEDDINGS,

  requestAttributes(body, captureContent, attributes) {
    setIf(attributes, ATTR_GEN_AI_REQUEST_MODEL, stringOrUndefined(body?.model));
    const format = stringOrUndefined(body?.encoding_format);
    if (format) attributes[ATTR_GEN_AI_REQUEST_ENCODING_FORMATS] = [format];
    if (captureContent && body?.input !== undefined) {
      const inputs = Array.isArray(body.input) ? body.input : [body.input];
      const parts = inputs.map((content: unknown) =>
        typeof content === 'string' ? { type: 'text', content } : { type: 'tokens' },
      );
      setIf(attributes, ATTR_GEN_AI_INPUT_MESSAGES, toJson([{ role: 'user', parts }]));
    }
  },

  resultAttributes(result) {
    const attributes: Attributes = {};
    setIf(attributes, ATTR_GEN_AI_RESPONSE_MODEL, stringOrUndefined(result?.model));
    // `prompt_tokens` only; there is no output to count.
    addChatUsage(attributes, result?.usage && { prompt_tokens: result.usage.prompt_tokens });
    return attributes;
  },
};
