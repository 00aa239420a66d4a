import type { Attributes } from '@opentelemetry/api';
import {
  ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_CACHE_WRITE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_COMPLETION_TOKENS,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
  ATTR_GEN_AI_USAGE_PROMPT_TOKENS,
  ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS,
} from '../semconv';
import type { LlmCall } from '../types';
import { isGenAiInference, readGenAiIdentity } from './genai';
import { makeCall, normaliseUsage, readFirstCount } from './read';

// Traceloop OpenLLMetry names (@traceloop/ai-semantic-conventions), older than
// the GenAI semconv ones and still emitted alongside them.
const ATTR_REQUEST_TYPE = 'llm.request.type';
const ATTR_SPAN_KIND = 'traceloop.span.kind';
const ATTR_TOTAL_TOKENS = 'llm.usage.total_tokens';
const ATTR_CACHE_READ = 'gen_ai.usage.cache_read_input_tokens';
const ATTR_CACHE_CREATION = 'gen_ai.usage.cache_creation_input_tokens';
const ATTR_REASONING = 'gen_ai.usage.reasoning_tokens';

/** Scopes of OpenLLMetry instrumentations: `@traceloop/instrumentation-openai` (JS), `opentelemetry.instrumentation.openai.v1` (Python). */
export function isOpenLlmetrySpan(attributes: Attributes, scopeName: string | undefined): boolean {
  if (scopeName?.startsWith('@traceloop/') || scopeName?.startsWith('opentelemetry.instrumentation.')) return true;
  return (
    attributes[ATTR_REQUEST_TYPE] !== undefined ||
    attributes[ATTR_SPAN_KIND] !== undefined ||
    attributes[ATTR_TOTAL_TOKENS] !== undefined
  );
}

/** Workflow, task, agent and tool spans carry `traceloop.span.kind`; inference spans do not. */
export function isOpenLlmetryInference(attributes: Attributes): boolean {
  if (attributes[ATTR_SPAN_KIND] !== undefined) return false;
  return attributes[ATTR_REQUEST_TYPE] !== undefined || isGenAiInference(attributes);
}

/**
 * OpenLLMetry writes `gen_ai.usage.input_tokens` (older releases
 * `gen_ai.usage.prompt_tokens`) as the provider's prompt total, which its
 * Anthropic instrumentation already sums with cache reads and writes; cache
 * figures come under its underscore names or the semconv dotted ones.
 */
export function readOpenLlmetry(attributes: Attributes): LlmCall {
  const issues: string[] = [];
  const usage = normaliseUsage(
    {
      input: readFirstCount(attributes, [ATTR_GEN_AI_USAGE_INPUT_TOKENS, ATTR_GEN_AI_USAGE_PROMPT_TOKENS], issues),
      output: readFirstCount(
        attributes,
        [ATTR_GEN_AI_USAGE_OUTPUT_TOKENS, ATTR_GEN_AI_USAGE_COMPLETION_TOKENS],
        issues,
      ),
      cacheRead: readFirstCount(attributes, [ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS, ATTR_CACHE_READ], issues),
      cacheWrite: readFirstCount(
        attributes,
        [
          ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS,
          ATTR_GEN_AI_USAGE_CACHE_WRITE_INPUT_TOKENS,
          ATTR_CACHE_CREATION,
        ],
        issues,
      ),
      reasoning: readFirstCount(attributes, [ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS, ATTR_REASONING], issues),
    },
    true,
    issues,
  );
  return makeCall('openllmetry', readGenAiIdentity(attributes), usage, issues);
}
