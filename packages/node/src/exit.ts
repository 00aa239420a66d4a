import { diag } from '@opentelemetry/api';

export interface ExitHooks {
  /** Removes the flush listeners (`beforeExit`, signals); the loss report at `exit` stays. */
  remove(): void;
}

const SIGNALS = ['SIGTERM', 'SIGINT'] as const;

/** Why the process ended with telemetry not yet shut down. */
export type ExitCause = 'process-exit' | 'flush-timeout' | 'uncaught-error';

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
 * - `process.exit()` called by the app cannot be waited on: at `exit`,
 *   `reportLoss` says (synchronously) what was not exported and the fix.
 */
export function installExitHooks(
  shutdown: () => Promise<void>,
  forceFlush: () => Promise<void>,
  timeoutMillis: number,
  reportLoss: (cause: ExitCause) => void,
): ExitHooks {
  let shuttingDown = false;
  let crashed = false;

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
    // The process dies of the signal, which emits no `exit`: say here what the flush could not deliver.
    const report = () => reportLoss('flush-timeout');
    bounded(shutdown(), timeoutMillis).then(report).finally(reraise);
  };

  // Only observes: an uncaught error still ends the process as it would without us.
  const onUncaught = () => {
    crashed = true;
  };
  const onExit = () => {
    try {
      reportLoss(shuttingDown ? 'flush-timeout' : crashed ? 'uncaught-error' : 'process-exit');
    } catch {
      // Nothing may stop the exit.
    }
  };

  process.on('beforeExit', onBeforeExit);
  // Stay after remove(): a shutdown that never finishes is reported at exit too (reportLoss is silent after a complete one).
  process.on('exit', onExit);
  process.on('uncaughtExceptionMonitor', onUncaught);
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
    // What was lost is said by the caller (the exit report), with the counts.
    timer = setTimeout(() => {
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
