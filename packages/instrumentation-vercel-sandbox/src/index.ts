export { SUPPORTED_VERSIONS, VercelSandboxInstrumentation } from './instrumentation';
export type { VercelSandboxInstrumentationConfig } from './types';
