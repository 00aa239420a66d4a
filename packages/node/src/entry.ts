import { type StartedBy, start } from './register';

/**
 * `register()` for the `--import` / `--require` entries, where a throw would
 * stop the app before its first line. register() reports bad configuration
 * and starts anyway; this catch is the last guard against a defect of ours.
 */
export function registerFromFlag(flag: Exclude<StartedBy, 'code'>): void {
  try {
    start({}, flag);
  } catch (err) {
    process.stderr.write(`agentburn: not started: ${err instanceof Error ? err.message : String(err)}\n`);
  }
}
