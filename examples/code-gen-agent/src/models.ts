/** The model providers the agent speaks to, and the model each uses by default (no SDK is loaded here). */
export type Provider = 'openai' | 'anthropic';

export const DEFAULT_MODELS: Record<Provider, string> = { openai: 'gpt-4o', anthropic: 'claude-sonnet-4-6' };
