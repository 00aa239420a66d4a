/**
 * `node --require @agentburn/node/register app.js`
 *
 * For CommonJS apps, whose SDKs are loaded through require and patched
 * there. The ES module loader hook is not installed from here: registered
 * from a --require preload (where it cannot be awaited), Node 20 loses the
 * app's uncaught-error output. ES module apps use `--import`.
 */
import { registerFromFlag } from './entry';

registerFromFlag('require-flag');
