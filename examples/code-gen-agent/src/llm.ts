import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import type { Provider } from './models';

export interface ChatMessage {
  role: 'user' | 'assistant';
  content: string;
}

/** The one call the agent needs from a model, over either SDK. */
export interface CodeModel {
  readonly model: string;
  complete(
    system: string,
    messages: ChatMessage[],
  ): Promise<{ text: string; inputTokens: number; outputTokens: number }>;
}

const MAX_OUTPUT_TOKENS = 300;

export function openaiModel(client: OpenAI, model: string): CodeModel {
  return {
    model,
    async complete(system, messages) {
      const res = await client.chat.completions.create({
        model,
        messages: [{ role: 'system', content: system }, ...messages],
        temperature: 0,
        // This task's replies take about 200 tokens; a cap also bounds what a budget must reserve per call.
        max_completion_tokens: MAX_OUTPUT_TOKENS,
      });
      return {
        text: res.choices[0]?.message.content ?? '',
        inputTokens: res.usage?.prompt_tokens ?? 0,
        outputTokens: res.usage?.completion_tokens ?? 0,
      };
    },
  };
}

export function anthropicModel(client: Anthropic, model: string): CodeModel {
  return {
    model,
    async complete(system, messages) {
      const res = await client.messages.create({ model, system, messages, max_tokens: MAX_OUTPUT_TOKENS });
      return {
        text: res.content.map((block) => (block.type === 'text' ? block.text : '')).join(''),
        inputTokens: res.usage.input_tokens,
        outputTokens: res.usage.output_tokens,
      };
    },
  };
}

/** A client of the real service (keys from the environment), or of the given endpoint. */
export function createModel(
  provider: Provider,
  model: string,
  endpoint?: { baseURL: string; apiKey: string },
): CodeModel {
  return provider === 'anthropic'
    ? anthropicModel(new Anthropic(endpoint ?? {}), model)
    : openaiModel(new OpenAI(endpoint ?? {}), model);
}
