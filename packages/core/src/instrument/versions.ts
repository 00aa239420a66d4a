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

/** One SDK's module name and version ranges. */
export interface SdkVersions {
  name: string;
  supported: string[];
  unsupported: string[];
}

/** The module-definition constructor of `@opentelemetry/instrumentation` (core does not depend on it). */
export type ModuleDefinitionClass<D> = new (
  name: string,
  supportedVersions: string[],
  // biome-ignore lint/suspicious/noExplicitAny: matches the instrumentation package's own signature
  patch?: (moduleExports: any, moduleVersion?: string) => any,
  // biome-ignore lint/suspicious/noExplicitAny: matches the instrumentation package's own signature
  unpatch?: (moduleExports: any, moduleVersion?: string) => void,
) => D;

/**
 * The two module definitions of an SDK: its supported versions patched by
 * `patch`, the others left alone with one message per version. For an
 * instrumentation's `init()`: pass `InstrumentationNodeModuleDefinition`.
 */
export function sdkModuleDefinitions<D>(
  Definition: ModuleDefinitionClass<D>,
  sdk: SdkVersions,
  patch: (moduleExports: unknown, version: string | undefined) => void,
  unpatch: (moduleExports: unknown) => void,
  warn: (message: string) => void,
): D[] {
  return [
    new Definition(
      sdk.name,
      sdk.supported,
      (moduleExports: unknown, version?: string) => {
        patch(moduleExports, version);
        return moduleExports;
      },
      (moduleExports: unknown) => unpatch(moduleExports),
    ),
    new Definition(sdk.name, sdk.unsupported, declineUnsupportedVersions(sdk.name, sdk.supported.join(', '), warn)),
  ];
}
