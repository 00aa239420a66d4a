import { normaliseProvider } from '../usage/provider';

/** GenAI semconv provider name (after `normaliseProvider`) -> `@pydantic/genai-prices` provider id. */
const TO_GENAI_PRICES: Record<string, string> = {
  openai: 'openai',
  anthropic: 'anthropic',
  'azure.ai.openai': 'azure',
  'azure.ai.inference': 'azure',
  'gcp.gemini': 'google',
  'gcp.vertex_ai': 'google',
  'gcp.gen_ai': 'google',
  'aws.bedrock': 'aws',
  x_ai: 'x-ai',
  mistral_ai: 'mistral',
  cohere: 'cohere',
  deepseek: 'deepseek',
  groq: 'groq',
  perplexity: 'perplexity',
};

/**
 * The genai-prices provider id for a provider name as a span spells it. Names
 * we do not map pass through: genai-prices matches its own ids (`openrouter`,
 * `together`, `fireworks`, ...) and its providers' own match rules.
 */
export function toGenaiPricesProvider(provider: string | undefined): string | undefined {
  const name = normaliseProvider(provider);
  if (name === undefined) return undefined;
  return TO_GENAI_PRICES[name] ?? name;
}

/** Anthropic bills 1-hour cache writes at 2x base input, on its own API and through Bedrock and Vertex. */
export function isAnthropicModel(providerId: string | undefined, modelId: string): boolean {
  return providerId === 'anthropic' || /claude/i.test(modelId);
}
