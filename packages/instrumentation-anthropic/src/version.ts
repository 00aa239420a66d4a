/** This package's name and version: the instrumentation scope of its spans and metrics. */
export const PACKAGE_NAME = '@agentburn/instrumentation-anthropic';
export const PACKAGE_VERSION = '0.1.0';

/** The instrumented SDK. */
export const SDK_MODULE = '@anthropic-ai/sdk';

/**
 * The SDK versions this instrumentation knows: the late 0.x line and 1.x.
 * `isSupportedVersion` below is the same range as code, for the decline message.
 */
export const SUPPORTED_VERSIONS = '>=0.30.0 <2';

export function isSupportedVersion(version: string | undefined): boolean {
  const match = /^(\d+)\.(\d+)\.(\d+)$/.exec(version ?? '');
  if (!match) return false;
  const major = Number(match[1]);
  const minor = Number(match[2]);
  return major === 1 || (major === 0 && minor >= 30);
}
