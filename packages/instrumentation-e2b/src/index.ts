export { type Clock, systemClock } from './clock';
export { E2BInstrumentation, FILE_METHODS, SUPPORTED_VERSIONS } from './instrumentation';
export { billedSeconds, DEFAULT_SANDBOX_TIMEOUT_MS } from './intervals';
export { type ReconcileOptions, type ReconcileReport, reconcileSandbox } from './reconcile';
export type { SandboxSize } from './sizes';
export type { E2BInstrumentationConfig } from './types';
