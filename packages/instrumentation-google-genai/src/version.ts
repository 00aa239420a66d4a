/** This package's name and version: the instrumentation scope of its spans and metrics (test/versions.test.ts keeps it in step with package.json). */
export const PACKAGE_NAME = '@agentburn/instrumentation-google-genai';
export const PACKAGE_VERSION = '0.1.0';

/** The instrumented SDK. */
export const SDK_MODULE = '@google/genai';

/** The SDK versions this instrumentation knows: 1.x to 3.x. */
export const SUPPORTED_VERSIONS = '>=1.0.0 <4';
/** Every other version: left alone, with one message. */
export const UNSUPPORTED_VERSIONS = ['<1.0.0', '>=4.0.0'];
