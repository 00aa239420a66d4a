import type { Attributes } from '@opentelemetry/api';
import type { LlmCall } from '../types';
import { normaliseProvider } from './provider';
import { makeCall, normaliseUsage, readCount, readFirstString, readString } from './read';

// OpenInference (Arize) semantic conventions.
const ATTR_SPAN_KIND = 'openinference.span.kind';
const ATTR_PROMPT = 'llm.token_count.prompt';
const ATTR_COMPLETION = 'llm.token_count.completion';
const ATTR_CACHE_READ = 'llm.token_count.prompt_details.cache_read';
const ATTR_CACHE_WRITE = 'llm.token_count.prompt_details.cache_write';
const ATTR_REASONING = 'llm.token_count.completion_details.reasoning';
const ATTR_MODEL_NAME = 'llm.model_name';
const ATTR_PROVIDER = 'llm.provider';
const ATTR_SYSTEM = 'llm.system';

export function isOpenInferenceSpan(attributes: Attributes): boolean {
  return attributes[ATTR_SPAN_KIND] !== undefined;
}

/** Only `LLM` spans are inference calls (not CHAIN, AGENT, TOOL, RETRIEVER, EMBEDDING wrappers). */
export function isOpenInferenceInference(attributes: Attributes): boolean {
  const kind = attributes[ATTR_SPAN_KIND];
  return typeof kind === 'string' && kind.toUpperCase() === 'LLM';
}

/**
 * OpenInference defines `llm.token_count.prompt` as the whole prompt with its
 * cache details as parts of it (cache-inclusive). `llm.provider` is the
 * hosting provider (`azure`, `openai`), `llm.system` the model family.
 */
export function readOpenInference(attributes: Attributes): LlmCall {
  const issues: string[] = [];
  const usage = normaliseUsage(
    {
      input: readCount(attributes, ATTR_PROMPT, issues),
      output: readCount(attributes, ATTR_COMPLETION, issues),
      cacheRead: readCount(attributes, ATTR_CACHE_READ, issues),
      cacheWrite: readCount(attributes, ATTR_CACHE_WRITE, issues),
      reasoning: readCount(attributes, ATTR_REASONING, issues),
    },
    true,
    issues,
  );
  const model = readString(attributes, ATTR_MODEL_NAME);
  return makeCall(
    'openinference',
    {
      provider: normaliseProvider(readFirstString(attributes, [ATTR_PROVIDER, ATTR_SYSTEM])),
      requestModel: model,
      responseModel: model,
    },
    usage,
    issues,
  );
}
