export { BedrockInstrumentation } from './instrumentation';
export type { BedrockInstrumentationConfig } from './types';
export { PACKAGE_NAME, PACKAGE_VERSION, SUPPORTED_VERSIONS } from './version';
