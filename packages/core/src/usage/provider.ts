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

/** Dots in the longest known name (`azure.ai.inference`): a longer dotted prefix can match nothing. */
const MAX_KNOWN_DOTS = Math.max(...[...SEMCONV_PROVIDERS, ...Object.keys(ALIASES)].map((n) => n.split('.').length - 1));

/** Provider names are short ids; a longer value is cut here, so a hostile one costs no more than this. */
export const MAX_PROVIDER_NAME_LENGTH = 256;

/**
 * Maps a provider name as some convention spells it to the GenAI semconv
 * value: `openai.chat` -> `openai`, `google.generative-ai` -> `gcp.gemini`,
 * `amazon-bedrock` -> `aws.bedrock`. Unknown names pass through lower-cased
 * (cut to {@link MAX_PROVIDER_NAME_LENGTH}). Linear in the name's length.
 */
export function normaliseProvider(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  // Our own spans and most emitters already write the semconv value: no copies to make.
  if (SEMCONV_PROVIDERS.has(raw)) return raw;
  const name = raw.slice(0, MAX_PROVIDER_NAME_LENGTH).trim().toLowerCase();
  if (name === '') return undefined;
  if (SEMCONV_PROVIDERS.has(name)) return name;
  const alias = ALIASES[name];
  if (alias !== undefined) return alias;
  // Vercel AI SDK ids are `<provider>.<api>`: `openai.responses`, `google.vertex.chat`.
  // The longest known prefix wins; only prefixes with as many dots as a known name can match.
  const dots: number[] = [];
  for (let at = name.indexOf('.'); at !== -1 && dots.length <= MAX_KNOWN_DOTS; at = name.indexOf('.', at + 1)) {
    dots.push(at);
  }
  for (let i = dots.length - 1; i >= 0; i--) {
    const head = name.slice(0, dots[i]);
    if (SEMCONV_PROVIDERS.has(head)) return head;
    const headAlias = ALIASES[head];
    if (headAlias !== undefined) return headAlias;
  }
  // Any other `<provider>.<api>` id: the provider is the first segment (`openrouter.chat`).
  const first = dots[0];
  return first !== undefined && first > 0 ? name.slice(0, first) : name;
}
