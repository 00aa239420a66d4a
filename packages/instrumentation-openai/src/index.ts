export { OpenAIInstrumentation, SUPPORTED_VERSIONS } from './instrumentation';
export type { OpenAIInstrumentationConfig } from './types';
