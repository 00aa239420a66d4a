import { GEN_AI_PROVIDER_ANTHROPIC, GEN_AI_PROVIDER_AZURE_OPENAI, GEN_AI_PROVIDER_OPENAI } from '../semconv';

/** Well-known `gen_ai.provider.name` values (GenAI semantic conventions): kept as they are. */
const SEMCONV_PROVIDERS = new Set([
  GEN_AI_PROVIDER_OPENAI,
  GEN_AI_PROVIDER_ANTHROPIC,
  GEN_AI_PROVIDER_AZURE_OPENAI,
  'azure.ai.inference',
  'aws.bedrock',
  'cohere',
  'deepseek',
  'gcp.gemini',
  'gcp.gen_ai',
  'gcp.vertex_ai',
  'groq',
  'ibm.watsonx.ai',
  'mistral_ai',
  'perplexity',
  'x_ai',
]);

/** Other spellings (Vercel AI SDK ids, OpenLLMetry vendors, OpenInference values) -> semconv value. */
const ALIASES: Record<string, string> = {
  azure: GEN_AI_PROVIDER_AZURE_OPENAI,
  'azure-openai': GEN_AI_PROVIDER_AZURE_OPENAI,
  azureopenai: GEN_AI_PROVIDER_AZURE_OPENAI,
  google: 'gcp.gemini',
  gemini: 'gcp.gemini',
  'google.generative-ai': 'gcp.gemini',
  'google-generative-ai': 'gcp.gemini',
  vertex: 'gcp.vertex_ai',
  vertexai: 'gcp.vertex_ai',
  vertex_ai: 'gcp.vertex_ai',
  'google.vertex': 'gcp.vertex_ai',
  'google-vertex': 'gcp.vertex_ai',
  bedrock: 'aws.bedrock',
  'amazon-bedrock': 'aws.bedrock',
  aws: 'aws.bedrock',
  xai: 'x_ai',
  'x-ai': 'x_ai',
  mistral: 'mistral_ai',
  mistralai: 'mistral_ai',
};

/**
 * Maps a provider name as some convention spells it to the GenAI semconv
 * value: `openai.chat` -> `openai`, `google.generative-ai` -> `gcp.gemini`,
 * `amazon-bedrock` -> `aws.bedrock`. Unknown names pass through lower-cased.
 */
export function normaliseProvider(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  const name = raw.trim().toLowerCase();
  if (name === '') return undefined;
  if (SEMCONV_PROVIDERS.has(name)) return name;
  const alias = ALIASES[name];
  if (alias !== undefined) return alias;
  // Vercel AI SDK ids are `<provider>.<api>`: `openai.responses`, `google.vertex.chat`.
  const parts = name.split('.');
  for (let n = parts.length - 1; n >= 1; n--) {
    const head = parts.slice(0, n).join('.');
    if (SEMCONV_PROVIDERS.has(head)) return head;
    const headAlias = ALIASES[head];
    if (headAlias !== undefined) return headAlias;
  }
  // Any other `<provider>.<api>` id: the provider is the first segment (`openrouter.chat`).
  return parts.length > 1 && parts[0] ? parts[0] : name;
}
