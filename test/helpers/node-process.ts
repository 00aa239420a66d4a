/**
 * Runs a real `node` child process for tests of @agentburn/node: the built
 * package, loaded as users load it, with only the environment the test gives.
 */
import { type ChildProcess, spawn } from 'node:child_process';

export interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Spawns `node ...args` in `cwd`; the child sees no OTEL_*, AGENTBURN_*, OPENAI_* or NODE_OPTIONS of the host. */
export function spawnNode(
  args: string[],
  env: Record<string, string>,
  cwd: string,
): { child: ChildProcess; done: Promise<Run> } {
  const base = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !/^(OTEL_|AGENTBURN_|OPENAI_|NODE_OPTIONS|VITEST)/.test(k)),
  );
  const child = spawn(process.execPath, args, { cwd, env: { ...base, ...env }, stdio: 'pipe' });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  const done = new Promise<Run>((resolve) => {
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { child, done };
}

/** Resolves when the child printed `line` on stdout. */
export function stdoutLine(child: ChildProcess, line: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = '';
    child.stdout?.on('data', (c: Buffer) => {
      seen += c.toString();
      if (seen.split('\n').includes(line)) resolve();
    });
    child.on('close', () => reject(new Error(`child exited before printing "${line}"`)));
  });
}

/** The lines a child wrote to stderr, without the empty last one. */
export const stderrLines = (run: Run): string[] => run.stderr.split('\n').filter((l) => l !== '');
