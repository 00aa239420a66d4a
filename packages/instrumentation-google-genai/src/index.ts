export { GoogleGenAIInstrumentation } from './instrumentation';
export type { GoogleGenAIInstrumentationConfig } from './types';
export { PACKAGE_NAME, PACKAGE_VERSION, SUPPORTED_VERSIONS } from './version';
