/**
 * The write, run, fix loop: ask a model for code with its tests, run them in
 * an E2B sandbox, feed failures back, stop when the tests pass or after
 * `maxIterations`. One sandbox serves every iteration (kept warm: no cold
 * start per attempt), and is killed at the end, so billing stops.
 */
import { Sandbox, type SandboxOpts } from '@e2b/code-interpreter';
import type { ChatMessage, CodeModel } from './llm';

export interface AgentOptions {
  model: CodeModel;
  task: string;
  maxIterations: number;
  /** Options for `Sandbox.create` (connection, template). */
  sandbox?: SandboxOpts;
  /** Upper bound on one test run. */
  runTimeoutMs: number;
  /** Upper bound on the sandbox's life, should this process die without killing it. */
  sandboxTimeoutMs: number;
  log: (line: string) => void;
}

export interface AgentResult {
  passed: boolean;
  /** Iterations completed. */
  iterations: number;
  /** Why a budget stopped the loop, when it did. */
  stoppedByBudget?: string;
}

const SYSTEM = [
  'You write Python. Reply with one ```python code block holding the implementation',
  'followed by plain assert-based tests that exercise it; the block must run top to',
  'bottom and raise on the first failing test. No prose outside the block.',
].join(' ');

/** The first fenced code block of a reply, or the whole reply when it has none. */
export function extractCode(reply: string): string {
  const match = /```(?:python|py)?\s*\n([\s\S]*?)```/.exec(reply);
  return (match?.[1] ?? reply).trim();
}

export async function runCodeGenAgent(options: AgentOptions): Promise<AgentResult> {
  const { model, log } = options;
  const messages: ChatMessage[] = [{ role: 'user', content: options.task }];
  const sandbox = await Sandbox.create({ ...options.sandbox, timeoutMs: options.sandboxTimeoutMs });
  try {
    for (let iteration = 1; iteration <= options.maxIterations; iteration++) {
      let reply: Awaited<ReturnType<CodeModel['complete']>>;
      try {
        reply = await model.complete(SYSTEM, messages);
      } catch (error) {
        // A budget (withBudget, AGENTBURN_BUDGET_USD) refused the call before it was sent.
        if ((error as { code?: unknown })?.code !== 'AGENTBURN_BUDGET_EXCEEDED') throw error;
        const reason = (error as Error).message;
        log(`iteration ${iteration}: stopped before the call: ${reason}`);
        return { passed: false, iterations: iteration - 1, stoppedByBudget: reason };
      }
      const code = extractCode(reply.text);
      messages.push({ role: 'assistant', content: reply.text });

      const execution = await sandbox.runCode(code, { timeoutMs: options.runTimeoutMs });
      const tokens = `${reply.inputTokens} in / ${reply.outputTokens} out tokens`;
      if (!execution.error) {
        log(`iteration ${iteration}: ${model.model} (${tokens}) -> tests pass`);
        return { passed: true, iterations: iteration };
      }
      const failure = `${execution.error.name}: ${execution.error.value}`;
      log(`iteration ${iteration}: ${model.model} (${tokens}) -> tests fail: ${failure}`);
      messages.push({
        role: 'user',
        content: `The tests failed:\n${failure}\n${execution.error.traceback}\nFix the code; reply with the whole block again.`,
      });
    }
    return { passed: false, iterations: options.maxIterations };
  } finally {
    await sandbox.kill();
  }
}
