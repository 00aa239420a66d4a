/** This package's name and version: the instrumentation scope of its spans and metrics (test/versions.test.ts keeps it in step with package.json). */
export const PACKAGE_NAME = '@agentburn/instrumentation-bedrock';
export const PACKAGE_VERSION = '0.1.0';

/** The instrumented SDK. */
export const SDK_MODULE = '@aws-sdk/client-bedrock-runtime';

/** The SDK versions this instrumentation knows: AWS SDK for JavaScript v3. */
export const SUPPORTED_VERSIONS = '>=3.0.0 <4';
/** Every other version: left alone, with one message. */
export const UNSUPPORTED_VERSIONS = ['<3.0.0', '>=4.0.0'];
