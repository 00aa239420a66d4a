import { createRequire } from 'node:module';
import { join } from 'node:path';
import { AnthropicInstrumentation } from '@agentburn/instrumentation-anthropic';
import { BedrockInstrumentation } from '@agentburn/instrumentation-bedrock';
import { DaytonaInstrumentation } from '@agentburn/instrumentation-daytona';
import { E2BInstrumentation } from '@agentburn/instrumentation-e2b';
import { GoogleGenAIInstrumentation } from '@agentburn/instrumentation-google-genai';
import { OpenAIInstrumentation } from '@agentburn/instrumentation-openai';
import { VercelSandboxInstrumentation } from '@agentburn/instrumentation-vercel-sandbox';
import { diag } from '@opentelemetry/api';
import type { Instrumentation } from '@opentelemetry/instrumentation';

/** Each instrumentation and the packages whose presence makes it worth enabling. */
const CANDIDATES: ReadonlyArray<{ modules: readonly string[]; create: () => Instrumentation }> = [
  { modules: ['openai'], create: () => new OpenAIInstrumentation() },
  { modules: ['@anthropic-ai/sdk'], create: () => new AnthropicInstrumentation() },
  { modules: ['e2b', '@e2b/code-interpreter'], create: () => new E2BInstrumentation() },
  { modules: ['@google/genai'], create: () => new GoogleGenAIInstrumentation() },
  { modules: ['@aws-sdk/client-bedrock-runtime'], create: () => new BedrockInstrumentation() },
  { modules: ['@daytonaio/sdk'], create: () => new DaytonaInstrumentation() },
  { modules: ['@vercel/sandbox'], create: () => new VercelSandboxInstrumentation() },
];

/**
 * Our instrumentations for the SDKs the app can load. An instrumentation for
 * an absent SDK would only cost a module hook, but skipping it keeps the
 * startup quiet and the hook list short.
 */
export function defaultInstrumentations(): Instrumentation[] {
  const installed = isInstalled();
  return CANDIDATES.filter((c) => c.modules.some(installed)).flatMap((c) => {
    try {
      return [c.create()];
    } catch (err) {
      // One broken instrumentation must not keep the others (or the app) from starting.
      diag.error(`agentburn: could not create the instrumentation for ${c.modules.join(', ')}`, err);
      return [];
    }
  });
}

/**
 * Resolves from where the app lives (its entry script and the working
 * directory) and from this package, since any of them may own the SDK.
 */
function isInstalled(): (name: string) => boolean {
  const bases = [process.argv[1], join(process.cwd(), 'package.json'), import.meta.url].filter(
    (b): b is string => typeof b === 'string' && b !== '',
  );
  const requires = bases.flatMap((base) => {
    try {
      return [createRequire(base)];
    } catch {
      return [];
    }
  });
  return (name) =>
    requires.some((req) => {
      for (const request of [name, `${name}/package.json`]) {
        try {
          req.resolve(request);
          return true;
        } catch {
          // not resolvable from this base
        }
      }
      return false;
    });
}
