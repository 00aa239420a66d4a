import type { Attributes } from '@opentelemetry/api';
import type { LlmCall } from '../types';
import { isAiSdkInference, isAiSdkSpan, isAiSdkV7Span, readAiSdk, readAiSdkV7 } from './ai-sdk';
import { isAnthropicNativeInference, isAnthropicNativeSpan, readAnthropicNative } from './anthropic-native';
import { isGenAiInference, readGenAi } from './genai';
import { isOpenInferenceInference, isOpenInferenceSpan, readOpenInference } from './openinference';
import { isOpenLlmetryInference, isOpenLlmetrySpan, readOpenLlmetry } from './openllmetry';

export type { LlmCall, Usage } from '../types';
export { normaliseProvider } from './provider';

/** Tracer scopes of this project's own instrumentations and core: GenAI semconv, nothing else to detect. */
const OWN_SCOPE_PREFIX = '@agentburn/';

/**
 * Reads one LLM inference call from a span's attributes, whichever convention
 * wrote them: our own spans and GenAI semconv, `@anthropic-ai/sdk`'s native
 * tracing, the Vercel AI SDK, OpenLLMetry, OpenInference. Returns undefined
 * for every span that is not an inference leaf (`ai.generateText` wrappers,
 * `invoke_agent`, steps, tools, sandbox spans), so a call is priced once.
 * Never throws: malformed values become `issues`.
 */
export function readLlmCall(spanName: string, attributes: Attributes, scopeName?: string): LlmCall | undefined {
  try {
    // Our own spans are dispatched on their scope, before any sniffing of attributes.
    if (scopeName?.startsWith(OWN_SCOPE_PREFIX) === true) {
      return isGenAiInference(attributes) ? readGenAi(attributes) : undefined;
    }
    // The most specific convention claims a span first; a claimed span that
    // is not a leaf is not re-read by a looser convention.
    if (isOpenInferenceSpan(attributes)) {
      return isOpenInferenceInference(attributes) ? readOpenInference(attributes) : undefined;
    }
    if (isAiSdkSpan(spanName)) {
      return isAiSdkInference(spanName, attributes) ? readAiSdk(attributes) : undefined;
    }
    if (isAnthropicNativeSpan(spanName, scopeName)) {
      return isAnthropicNativeInference(spanName) ? readAnthropicNative(attributes) : undefined;
    }
    if (isOpenLlmetrySpan(attributes, scopeName)) {
      return isOpenLlmetryInference(attributes) ? readOpenLlmetry(attributes) : undefined;
    }
    // Our own spans and Vercel AI SDK v7 `chat {model}` spans follow GenAI semconv.
    if (!isGenAiInference(attributes)) return undefined;
    return isAiSdkV7Span(attributes, scopeName) ? readAiSdkV7(attributes) : readGenAi(attributes);
  } catch {
    // Attribute values are plain data; nothing above should throw. Guarded anyway:
    // a reader never breaks the span pipeline.
    return undefined;
  }
}
