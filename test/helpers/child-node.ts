/**
 * Runs an ES module application in a child `node` process with the
 * import-in-the-middle loader hook registered, the way users load an
 * instrumentation with `node --import`.
 */
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { bundleInstrumentation } from './bundle';

const run = promisify(execFile);

export interface EsmHookRun {
  /** A scratch directory (see `scratchDir`): the files are written there. */
  dir: string;
  /** The package whose source is bundled and loaded in the child. */
  packageDir: Parameters<typeof bundleInstrumentation>[0];
  /** The instrumentation class the package exports. */
  instrumentationClass: string;
  /**
   * `app.mjs`. `globalThis.finishedSpans()` returns the spans ended so far;
   * the app prints its result as JSON on its last line of output.
   */
  app: string;
  env?: Record<string, string>;
}

/** Runs `app` after a `register.mjs` that enables the hook and the instrumentation; returns its last line, parsed. */
export async function runWithEsmHook({
  dir,
  packageDir,
  instrumentationClass,
  app,
  env,
}: EsmHookRun): Promise<unknown> {
  await bundleInstrumentation(packageDir, join(dir, 'instrumentation.mjs'), 'esm');
  writeFileSync(
    join(dir, 'register.mjs'),
    `import { register } from 'node:module';
     import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
     import { ${instrumentationClass} } from './instrumentation.mjs';
     register('import-in-the-middle/hook.mjs', import.meta.url);
     const exporter = new InMemorySpanExporter();
     const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
     const instrumentation = new ${instrumentationClass}();
     instrumentation.setTracerProvider(provider);
     globalThis.finishedSpans = () => exporter.getFinishedSpans();`,
  );
  writeFileSync(join(dir, 'app.mjs'), app);
  const { stdout } = await run(process.execPath, ['--import', './register.mjs', 'app.mjs'], {
    cwd: dir,
    env: { ...process.env, ...env },
    timeout: 15_000,
  });
  return JSON.parse(stdout.trim().split('\n').at(-1)!);
}
