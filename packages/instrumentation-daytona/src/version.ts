/** This package's name and version: the instrumentation scope of its spans and metrics (test/versions.test.ts keeps it in step with package.json). */
export const PACKAGE_NAME = '@agentburn/instrumentation-daytona';
export const PACKAGE_VERSION = '0.1.0';
