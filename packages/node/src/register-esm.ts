/**
 * `node --import @agentburn/node/register app.js`
 *
 * Installs the ES module loader hook, then starts the SDK from the OTEL_*
 * environment. Top-level await makes Node finish both before it loads the app.
 */

import { registerFromFlag } from './entry';
import { installEsmLoaderHook } from './hook';

const loaderReady = installEsmLoaderHook(import.meta.url);
registerFromFlag('import-flag');
await loaderReady();
