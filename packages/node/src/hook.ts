import * as nodeModule from 'node:module';
import { diag } from '@opentelemetry/api';
import { createAddHookMessageChannel } from 'import-in-the-middle';

/**
 * Installs the import-in-the-middle loader so ES modules (`import OpenAI from
 * 'openai'`) can be patched. Only modules an instrumentation has hooked are
 * wrapped (the message channel tells the loader thread which), so the rest
 * of the app loads untouched.
 *
 * Returns a promise that resolves once the loader has acknowledged every
 * hook registered so far; await it after registering instrumentations and
 * before the app's first import.
 */
export function installEsmLoaderHook(parentURL: string): () => Promise<void> {
  const register = (nodeModule as { register?: typeof nodeModule.register }).register;
  if (typeof register !== 'function') {
    diag.warn('agentburn: module.register is unavailable (Node.js < 20.6); ES module imports are not instrumented');
    return () => Promise.resolve();
  }
  try {
    const { registerOptions, waitForAllMessagesAcknowledged } = createAddHookMessageChannel();
    register('import-in-the-middle/hook.mjs', parentURL, registerOptions);
    return waitForAllMessagesAcknowledged;
  } catch (err) {
    diag.warn('agentburn: could not install the ES module loader hook; ES module imports are not instrumented', err);
    return () => Promise.resolve();
  }
}
