/**
 * The hook for the SDK versions an instrumentation does not support: the
 * module is returned untouched and one message per version says why its
 * calls are not traced. Pass it to an `InstrumentationNodeModuleDefinition`
 * over the unsupported ranges.
 */
export function declineUnsupportedVersions<T>(
  moduleName: string,
  supportedRange: string,
  warn: (message: string) => void,
): (moduleExports: T, version?: string) => T {
  const declined = new Set<string>();
  return (moduleExports, version) => {
    const key = version ?? 'unknown';
    if (!declined.has(key)) {
      declined.add(key);
      warn(`${moduleName}@${key} is outside the supported range ${supportedRange}; its calls are not traced`);
    }
    return moduleExports;
  };
}
