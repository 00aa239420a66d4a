/**
 * Local stand-ins for OpenAI or Anthropic, and E2B, so the example runs on a machine with no
 * keys and no network: the project's wire-level fakes (the same ones its tests
 * use), driven by a script, on 127.0.0.1.
 *
 * Time is simulated too, so the bill looks like a real run's and is the same
 * on every run: each model call takes LLM_SECONDS and each code run
 * RUN_SECONDS on a clock shared by the E2B fake and the E2B instrumentation.
 * The sandbox is billed for the whole time it runs, idle or not.
 *
 * The sandbox's use is simulated as well, at the levels a Python kernel
 * shows: nearly idle while the model thinks, busier while the tests run.
 * The E2B fake reports it in 5-second samples, as E2B does, and the
 * instrumentation samples it, so the bill can say what size would have done.
 */
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  anthropicMessage,
  type RecordedAnthropicRequest,
  startAnthropicServer,
} from '../../../test/fakes/anthropic-server';
import { FAKE_E2B_API_KEY, startFakeE2B } from '../../../test/fakes/e2b-server';
import { chatCompletion, type RecordedRequest, startOpenAIServer } from '../../../test/fakes/openai-server';
import type { Provider } from './models';
import { SCRIPT, type ScriptStep } from './script';

export const LLM_SECONDS = 6;
export const RUN_SECONDS = 2;
/** How often the instrumentation samples the sandbox's use, in simulated seconds. */
export const SAMPLE_SECONDS = 5;
/** A Python kernel waiting (share of the 2 vCPUs, MiB), and running the tests. */
const IDLE_USAGE = { cpuUsedPct: 2, memUsedMiB: 380 };
const RUN_USAGE = { cpuUsedPct: 38, memUsedMiB: 610 };

interface Timer {
  atMs: number;
  fn: () => void;
}

/**
 * A clock that starts at the real time, then moves only when the simulation
 * says so; its timers fire as simulated time passes them, so usage sampling
 * every few simulated seconds happens in a run that takes a fraction of one.
 */
export class SimulatedClock {
  private ms = Date.now();
  private timers: Timer[] = [];
  now = (): number => this.ms;
  setTimeout = (fn: () => void, ms: number): unknown => {
    const timer = { atMs: this.ms + Math.max(0, ms), fn };
    this.timers.push(timer);
    return timer;
  };
  clearTimeout = (handle: unknown): void => {
    this.timers = this.timers.filter((t) => t !== handle);
  };
  advanceSeconds(seconds: number): void {
    const until = this.ms + seconds * 1000;
    // Each due timer fires at its own time, earliest first; those it sets are due in turn if they fall in the step.
    for (let due = this.nextDue(until); due; due = this.nextDue(until)) {
      this.timers = this.timers.filter((t) => t !== due);
      this.ms = Math.max(this.ms, due.atMs);
      due.fn();
    }
    this.ms = until;
  }
  private nextDue(until: number): Timer | undefined {
    return this.timers.filter((t) => t.atMs <= until).sort((a, b) => a.atMs - b.atMs)[0];
  }
}

export interface SimulatedServices {
  clock: SimulatedClock;
  /** The simulated model provider's endpoint, for the SDK of `provider`. */
  llm: { baseURL: string; apiKey: string };
  sandbox: { apiUrl: string; sandboxUrl: string; apiKey: string };
  close(): Promise<void>;
}

// A rough token count (four characters a token), so prices come out as they would.
const tokens = (text: string) => Math.ceil(text.length / 4);

export async function startSimulatedServices(provider: Provider): Promise<SimulatedServices> {
  const clock = new SimulatedClock();
  const e2b = await startFakeE2B({ now: clock.now });

  const setUsage = (usage: typeof IDLE_USAGE) => {
    for (const sandbox of e2b.sandboxes.values())
      if (sandbox.state === 'running') e2b.controls.setUsage(sandbox.sandboxId, usage);
  };

  // The model's n-th answer depends on how many it gave before; with it, the
  // sandbox learns what running that answer reports.
  const step = (messages: Array<{ role: string; content: string }>, system = '') => {
    const attempt = messages.filter((m) => m.role === 'assistant').length;
    const next: ScriptStep = SCRIPT[Math.min(attempt, SCRIPT.length - 1)]!;
    e2b.controls.nextExecution(next.verdict);
    setUsage(IDLE_USAGE);
    clock.advanceSeconds(LLM_SECONDS);
    const prompt = tokens([system, ...messages.map((m) => m.content)].filter(Boolean).join('\n'));
    return { attempt, reply: next.reply, prompt, completion: tokens(next.reply) };
  };

  let llm: { url: string; close(): Promise<void> };
  if (provider === 'anthropic') {
    const anthropic = await startAnthropicServer();
    anthropic.reply(
      ...SCRIPT.map(() => (req: RecordedAnthropicRequest) => {
        const s = step(req.body?.messages ?? [], req.body?.system);
        return {
          json: anthropicMessage({
            id: `msg_simulated_${s.attempt + 1}`,
            model: req.body?.model,
            text: s.reply,
            usage: { input_tokens: s.prompt, output_tokens: s.completion },
          }),
        };
      }),
    );
    llm = anthropic;
  } else {
    const openai = await startOpenAIServer();
    openai.reply(
      ...SCRIPT.map(() => (req: RecordedRequest) => {
        const s = step(req.body?.messages ?? []);
        return {
          json: chatCompletion({
            model: req.body?.model,
            id: `chatcmpl-simulated-${s.attempt + 1}`,
            content: s.reply,
            usage: { prompt_tokens: s.prompt, completion_tokens: s.completion, total_tokens: s.prompt + s.completion },
          }),
        };
      }),
    );
    llm = openai;
  }

  const proxy = await startClockProxy(e2b.sandboxUrl, clock, () => setUsage(RUN_USAGE));
  return {
    clock,
    llm: { baseURL: llm.url, apiKey: 'sk-simulated' },
    sandbox: { apiUrl: e2b.apiUrl, sandboxUrl: proxy.url, apiKey: FAKE_E2B_API_KEY },
    async close() {
      await new Promise<void>((resolve) => {
        proxy.server.close(() => resolve());
        proxy.server.closeAllConnections();
      });
      await Promise.all([llm.close(), e2b.close()]);
    },
  };
}

/**
 * Forwards sandbox traffic to the E2B fake, moving the clock by RUN_SECONDS
 * while a code run is in flight, as if the code took that long, busy.
 */
async function startClockProxy(
  target: string,
  clock: SimulatedClock,
  running: () => void,
): Promise<{ server: Server; url: string }> {
  const upstream = new URL(target);
  const server = createServer((req, res) => {
    if (req.method === 'POST' && req.url?.startsWith('/execute')) {
      running();
      clock.advanceSeconds(RUN_SECONDS);
    }
    const forward = request(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on('error', () => res.destroy());
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}` };
}
