import * as nodeModule from 'node:module';
import { diag } from '@opentelemetry/api';
import { createAddHookMessageChannel } from 'import-in-the-middle';

/** Set once the loader hook is registered, by the ESM or the CJS copy of this package. */
const INSTALLED = Symbol.for('agentburn.node.esm-loader-hook');
type Holder = { [INSTALLED]?: true };

export function esmLoaderHookInstalled(): boolean {
  return (globalThis as Holder)[INSTALLED] === true;
}

/**
 * Installs the import-in-the-middle loader so ES modules (`import OpenAI from
 * 'openai'`) can be patched. Only modules an instrumentation has hooked are
 * wrapped (the message channel tells the loader thread which), so the rest
 * of the app loads untouched. `include` names modules to wrap from the start,
 * for callers that cannot wait for the channel's acknowledgement.
 *
 * Returns a promise that resolves once the loader has acknowledged every
 * hook registered so far; await it after registering instrumentations and
 * before the app's first import.
 */
export function installEsmLoaderHook(parentURL: string, include: readonly string[] = []): () => Promise<void> {
  const register = (nodeModule as { register?: typeof nodeModule.register }).register;
  if (typeof register !== 'function') {
    diag.warn('agentburn: module.register is unavailable (Node.js < 20.6); ES module imports are not instrumented');
    return () => Promise.resolve();
  }
  try {
    const { registerOptions, waitForAllMessagesAcknowledged } = createAddHookMessageChannel();
    registerOptions.data.include.push(...include);
    register('import-in-the-middle/hook.mjs', parentURL, registerOptions);
    (globalThis as Holder)[INSTALLED] = true;
    return waitForAllMessagesAcknowledged;
  } catch (err) {
    diag.warn('agentburn: could not install the ES module loader hook; ES module imports are not instrumented', err);
    return () => Promise.resolve();
  }
}
