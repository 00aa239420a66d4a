export { AnthropicInstrumentation } from './instrumentation';
export type { AnthropicInstrumentationConfig, NativeTracingMode } from './types';
export { PACKAGE_NAME, PACKAGE_VERSION, SUPPORTED_VERSIONS } from './version';
