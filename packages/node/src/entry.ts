import { register } from './register';

/**
 * `register()` for the `--import` / `--require` entries, where a throw would
 * stop the app before its first line. A configuration error (an unreadable
 * price file, say) is reported once on stderr and the app runs untraced.
 */
export function registerFromFlag(): void {
  try {
    register();
  } catch (err) {
    process.stderr.write(`agentburn: not started: ${err instanceof Error ? err.message : String(err)}\n`);
  }
}
