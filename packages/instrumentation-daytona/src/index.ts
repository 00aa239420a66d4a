export { DaytonaInstrumentation, FS_METHODS, SUPPORTED_VERSIONS } from './instrumentation';
export type { DaytonaInstrumentationConfig } from './types';
