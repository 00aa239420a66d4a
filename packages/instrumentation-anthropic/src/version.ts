/** This package's name and version: the instrumentation scope of its spans and metrics (test/versions.test.ts keeps it in step with package.json). */
export const PACKAGE_NAME = '@agentburn/instrumentation-anthropic';
export const PACKAGE_VERSION = '0.1.0';

/** The instrumented SDK. */
export const SDK_MODULE = '@anthropic-ai/sdk';

/** The SDK versions this instrumentation knows: the late 0.x line and 1.x. */
export const SUPPORTED_VERSIONS = '>=0.30.0 <2';
/** Every other version: left alone, with one message. */
export const UNSUPPORTED_VERSIONS = ['<0.30.0', '>=2.0.0'];
