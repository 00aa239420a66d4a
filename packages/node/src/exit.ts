import { diag } from '@opentelemetry/api';

export interface ExitHooks {
  /** Removes every listener installed by `installExitHooks`. */
  remove(): void;
}

const SIGNALS = ['SIGTERM', 'SIGINT'] as const;

/**
 * Flushes telemetry when the process ends, without changing how it ends.
 *
 * - Normal end (`beforeExit`, the event loop ran dry): shut down, which also
 *   closes open sandbox intervals; the exit code the app set is untouched,
 *   and an export still retrying past `timeoutMillis` does not hold the exit.
 * - SIGTERM / SIGINT with an app handler: the app owns the signal, so only
 *   flush and let its handler decide when and how to exit.
 * - SIGTERM / SIGINT without one: shut down (bounded by `timeoutMillis`),
 *   then re-raise the signal with our listener gone, so the process dies of
 *   it exactly as it would have without us.
 *
 * `process.exit()` called by the app cannot be waited on; spans already
 * handed to the exporters may be lost then (summary lines are written
 * synchronously and are not).
 */
export function installExitHooks(
  shutdown: () => Promise<void>,
  forceFlush: () => Promise<void>,
  timeoutMillis: number,
): ExitHooks {
  let shuttingDown = false;

  const onBeforeExit = () => {
    if (shuttingDown) return;
    shuttingDown = true;
    // With no other beforeExit listener the loop was empty: whatever keeps it
    // alive now is our export (an unreachable collector is retried for up to
    // OTEL_EXPORTER_OTLP_TIMEOUT), so past the bound we end the process with
    // the exit code the app set. The pending export keeps the loop alive;
    // beforeExit fires again after it and is ignored.
    const ownsTheLoop = process.listenerCount('beforeExit') === 1;
    void bounded(shutdown(), timeoutMillis, () => {
      if (ownsTheLoop) process.exit();
    });
  };

  const onSignal = (signal: NodeJS.Signals) => {
    if (process.listenerCount(signal) > 1) {
      void bounded(forceFlush(), timeoutMillis);
      return;
    }
    process.removeListener(signal, onSignal);
    const reraise = () => process.kill(process.pid, signal);
    if (shuttingDown) {
      reraise();
      return;
    }
    shuttingDown = true;
    bounded(shutdown(), timeoutMillis).then(reraise, reraise);
  };

  process.on('beforeExit', onBeforeExit);
  for (const signal of SIGNALS) process.on(signal, onSignal);

  return {
    remove() {
      process.removeListener('beforeExit', onBeforeExit);
      for (const signal of SIGNALS) process.removeListener(signal, onSignal);
    },
  };
}

/** Resolves when `work` settles or after `timeoutMillis` (calling `onTimeout`), whichever is first; never rejects. */
export function bounded(work: Promise<unknown>, timeoutMillis: number, onTimeout?: () => void): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      diag.warn(`agentburn: telemetry flush did not finish within ${timeoutMillis} ms; giving up`);
      resolve();
      onTimeout?.();
    }, timeoutMillis);
  });
  const done = work.then(
    () => undefined,
    (err: unknown) => diag.error('agentburn: telemetry flush failed', err),
  );
  return Promise.race([done, timeout]).finally(() => clearTimeout(timer));
}
