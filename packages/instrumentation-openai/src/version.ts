/** Kept in step with package.json by the release script. */
export const PACKAGE_NAME = '@agentburn/instrumentation-openai';
export const PACKAGE_VERSION = '0.1.0';
