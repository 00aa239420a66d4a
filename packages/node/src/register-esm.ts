/**
 * `node --import @agentburn/node/register app.js`
 *
 * Installs the ES module loader hook, then starts the SDK from the OTEL_*
 * environment. Top-level await makes Node finish both before it loads the app.
 */
import { installEsmLoaderHook } from './hook';
import { register } from './register';

const loaderReady = installEsmLoaderHook(import.meta.url);
register();
await loaderReady();
