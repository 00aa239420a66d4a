import { createRequire } from 'node:module';
import { sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { diag } from '@opentelemetry/api';

/** The SDK packages our instrumentations patch when they load. */
export const SDK_PACKAGES = [
  'openai',
  '@anthropic-ai/sdk',
  'e2b',
  '@e2b/code-interpreter',
  '@google/genai',
  '@aws-sdk/client-bedrock-runtime',
  '@daytonaio/sdk',
  '@vercel/sandbox',
] as const;

const NODE_MODULES = `${sep}node_modules${sep}`;

/** `openai` from `/app/node_modules/openai/index.js`, `@e2b/code-interpreter` from a scoped path. */
function packageOf(file: string): string | undefined {
  const at = file.lastIndexOf(NODE_MODULES);
  if (at < 0) return undefined;
  const [first, second] = file.slice(at + NODE_MODULES.length).split(sep);
  return first?.startsWith('@') ? `${first}/${second}` : first;
}

function sdkPackagesIn(files: Iterable<string>): Set<string> {
  const found = new Set<string>();
  for (const file of files) {
    const name = packageOf(file);
    if (name && (SDK_PACKAGES as readonly string[]).includes(name)) found.add(name);
  }
  return found;
}

/** SDK packages already in the CommonJS module cache. */
function requiredSdkPackages(): Set<string> {
  try {
    return sdkPackagesIn(Object.keys(createRequire(import.meta.url).cache));
  } catch {
    return new Set();
  }
}

/**
 * SDK packages already parsed as ES modules. Node keeps no public list of
 * loaded ES modules; V8's debugger does (every parsed script is announced
 * when a session enables it), so a short-lived inspector session reads it.
 * Only asked when an ES module app calls register() from code, the one case
 * where static imports are certain to have run first.
 */
function importedSdkPackages(): Set<string> {
  const { Session } = createRequire(import.meta.url)('node:inspector') as typeof import('node:inspector');
  const session = new Session();
  const urls: string[] = [];
  session.connect();
  try {
    session.on('Debugger.scriptParsed', (message) => {
      const url = message.params.url;
      if (url.startsWith('file:') && url.includes('/node_modules/')) urls.push(url);
    });
    // A same-thread session answers synchronously: every scriptParsed has arrived when post returns.
    session.post('Debugger.enable');
    session.post('Debugger.disable');
  } finally {
    session.disconnect();
  }
  return sdkPackagesIn(urls.map((url) => fileURLToPath(url)));
}

/**
 * One warning per SDK package that was loaded before register(): its calls
 * are not traced, silently, unless the user is told how to load it instead.
 */
export function warnOnPreloadedSdks(esmApp: boolean): void {
  const warn = (name: string, imported: boolean) =>
    diag.warn(
      `agentburn: ${name} was loaded before register(), so its calls are not traced. ` +
        `Start the app with \`node --import @agentburn/node/register app.js\`, or call register() first and load ${name} after it ` +
        (imported
          ? `(\`await import('${name}')\`; a static import runs before register())`
          : `(\`require('${name}')\`)`),
    );
  const required = requiredSdkPackages();
  for (const name of required) warn(name, false);
  if (!esmApp) return;
  // Asked now, not later: an `await import()` right after register() is the right pattern and must not be reported.
  let imported: Set<string>;
  try {
    imported = importedSdkPackages();
  } catch {
    return; // No inspector in this Node build: nothing to check with.
  }
  for (const name of imported) if (!required.has(name)) warn(name, true);
}
