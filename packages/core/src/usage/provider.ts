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
  GEN_AI_PROVIDER_IBM_WATSONX_AI,
  GEN_AI_PROVIDER_MISTRAL_AI,
  GEN_AI_PROVIDER_OPENAI,
  GEN_AI_PROVIDER_PERPLEXITY,
  GEN_AI_PROVIDER_X_AI,
} from '../semconv';

/** Well-known `gen_ai.provider.name` values (GenAI semantic conventions): kept as they are. */
const SEMCONV_PROVIDERS = new Set([
  GEN_AI_PROVIDER_OPENAI,
  GEN_AI_PROVIDER_ANTHROPIC,
  GEN_AI_PROVIDER_AZURE_OPENAI,
  GEN_AI_PROVIDER_AZURE_AI_INFERENCE,
  GEN_AI_PROVIDER_AWS_BEDROCK,
  GEN_AI_PROVIDER_COHERE,
  GEN_AI_PROVIDER_DEEPSEEK,
  GEN_AI_PROVIDER_GCP_GEMINI,
  GEN_AI_PROVIDER_GCP_GEN_AI,
  GEN_AI_PROVIDER_GCP_VERTEX_AI,
  GEN_AI_PROVIDER_GROQ,
  GEN_AI_PROVIDER_IBM_WATSONX_AI,
  GEN_AI_PROVIDER_MISTRAL_AI,
  GEN_AI_PROVIDER_PERPLEXITY,
  GEN_AI_PROVIDER_X_AI,
]);

/** Other spellings (Vercel AI SDK ids, OpenLLMetry vendors, OpenInference values) -> semconv value. */
const ALIASES: Record<string, string> = {
  azure: GEN_AI_PROVIDER_AZURE_OPENAI,
  'azure-openai': GEN_AI_PROVIDER_AZURE_OPENAI,
  azureopenai: GEN_AI_PROVIDER_AZURE_OPENAI,
  google: GEN_AI_PROVIDER_GCP_GEMINI,
  gemini: GEN_AI_PROVIDER_GCP_GEMINI,
  'google.generative-ai': GEN_AI_PROVIDER_GCP_GEMINI,
  'google-generative-ai': GEN_AI_PROVIDER_GCP_GEMINI,
  vertex: GEN_AI_PROVIDER_GCP_VERTEX_AI,
  vertexai: GEN_AI_PROVIDER_GCP_VERTEX_AI,
  vertex_ai: GEN_AI_PROVIDER_GCP_VERTEX_AI,
  'google.vertex': GEN_AI_PROVIDER_GCP_VERTEX_AI,
  'google-vertex': GEN_AI_PROVIDER_GCP_VERTEX_AI,
  bedrock: GEN_AI_PROVIDER_AWS_BEDROCK,
  'amazon-bedrock': GEN_AI_PROVIDER_AWS_BEDROCK,
  aws: GEN_AI_PROVIDER_AWS_BEDROCK,
  xai: GEN_AI_PROVIDER_X_AI,
  'x-ai': GEN_AI_PROVIDER_X_AI,
  mistral: GEN_AI_PROVIDER_MISTRAL_AI,
  mistralai: GEN_AI_PROVIDER_MISTRAL_AI,
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
