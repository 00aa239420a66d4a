import {
  GEN_AI_PROVIDER_ANTHROPIC,
  GEN_AI_PROVIDER_AWS_BEDROCK,
  GEN_AI_PROVIDER_AZURE_AI_INFERENCE,
  GEN_AI_PROVIDER_AZURE_OPENAI,
  GEN_AI_PROVIDER_COHERE,
  GEN_AI_PROVIDER_DEEPSEEK,
  GEN_AI_PROVIDER_GCP_GEMINI,
  GEN_AI_PROVIDER_GCP_GEN_AI,
  GEN_AI_PROVIDER_GCP_VERTEX_AI,
  GEN_AI_PROVIDER_GROQ,
  GEN_AI_PROVIDER_MISTRAL_AI,
  GEN_AI_PROVIDER_OPENAI,
  GEN_AI_PROVIDER_PERPLEXITY,
  GEN_AI_PROVIDER_X_AI,
} from '../semconv';
import { normaliseProvider } from '../usage/provider';

/** GenAI semconv provider name (after `normaliseProvider`) -> `@pydantic/genai-prices` provider id. */
const TO_GENAI_PRICES: Record<string, string> = {
  [GEN_AI_PROVIDER_OPENAI]: 'openai',
  [GEN_AI_PROVIDER_ANTHROPIC]: 'anthropic',
  [GEN_AI_PROVIDER_AZURE_OPENAI]: 'azure',
  [GEN_AI_PROVIDER_AZURE_AI_INFERENCE]: 'azure',
  [GEN_AI_PROVIDER_GCP_GEMINI]: 'google',
  [GEN_AI_PROVIDER_GCP_VERTEX_AI]: 'google',
  [GEN_AI_PROVIDER_GCP_GEN_AI]: 'google',
  [GEN_AI_PROVIDER_AWS_BEDROCK]: 'aws',
  [GEN_AI_PROVIDER_X_AI]: 'x-ai',
  [GEN_AI_PROVIDER_MISTRAL_AI]: 'mistral',
  [GEN_AI_PROVIDER_COHERE]: 'cohere',
  [GEN_AI_PROVIDER_DEEPSEEK]: 'deepseek',
  [GEN_AI_PROVIDER_GROQ]: 'groq',
  [GEN_AI_PROVIDER_PERPLEXITY]: 'perplexity',
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

/**
 * A model id as genai-prices knows it, for names that only a provider's
 * API spells: Google's resource names (`models/gemini-2.5-flash`,
 * `publishers/google/models/...`, `projects/.../models/...`, and
 * `google/gemini-...` on Vertex AI) become the bare model id. Bedrock ids
 * (cross-region inference profiles `us.` / `eu.` / `apac.` / `global.`
 * ..., and model or inference-profile ARNs) need nothing: genai-prices'
 * own rules for `aws` match them, regional premiums included.
 */
export function catalogueModelId(providerId: string | undefined, model: string): string {
  if (providerId !== 'google') return model;
  const resource = model.lastIndexOf('models/');
  if (resource >= 0) return model.slice(resource + 'models/'.length);
  return model.startsWith('google/') ? model.slice('google/'.length) : model;
}

/** Anthropic bills 1-hour cache writes at 2x base input, on its own API and through Bedrock and Vertex. */
export function isAnthropicModel(providerId: string | undefined, modelId: string): boolean {
  return providerId === 'anthropic' || /claude/i.test(modelId);
}
