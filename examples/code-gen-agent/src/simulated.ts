/**
 * Local stand-ins for OpenAI and E2B, so the example runs on a machine with no
 * keys and no network: the project's wire-level fakes (the same ones its tests
 * use), driven by a script, on 127.0.0.1.
 *
 * Time is simulated too, so the bill looks like a real run's and is the same
 * on every run: each model call takes LLM_SECONDS and each code run
 * RUN_SECONDS on a clock shared by the E2B fake and the E2B instrumentation.
 * The sandbox is billed for the whole time it runs, idle or not.
 */
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FAKE_E2B_API_KEY, startFakeE2B } from '../../../test/fakes/e2b-server';
import { chatCompletion, type RecordedRequest, startOpenAIServer } from '../../../test/fakes/openai-server';
import { SCRIPT } from './script';

export const LLM_SECONDS = 6;
export const RUN_SECONDS = 2;

/** A clock that starts at the real time, then moves only when the simulation says so. */
export class SimulatedClock {
  private ms = Date.now();
  now = (): number => this.ms;
  advanceSeconds(seconds: number): void {
    this.ms += seconds * 1000;
  }
}

export interface SimulatedServices {
  clock: SimulatedClock;
  openai: { baseURL: string; apiKey: string };
  sandbox: { apiUrl: string; sandboxUrl: string; apiKey: string };
  close(): Promise<void>;
}

// A rough token count (four characters a token), so prices come out as they would.
const tokens = (text: string) => Math.ceil(text.length / 4);

export async function startSimulatedServices(): Promise<SimulatedServices> {
  const clock = new SimulatedClock();
  const e2b = await startFakeE2B({ now: clock.now });
  const openai = await startOpenAIServer();

  // The model's n-th answer depends on how many it gave before; with it, the
  // sandbox learns what running that answer reports.
  openai.reply(...SCRIPT.map(() => (req: RecordedRequest) => answer(req)));
  const answer = (req: RecordedRequest) => {
    const messages: Array<{ role: string; content: string }> = req.body?.messages ?? [];
    const attempt = messages.filter((m) => m.role === 'assistant').length;
    const step = SCRIPT[Math.min(attempt, SCRIPT.length - 1)]!;
    e2b.controls.nextExecution(step.verdict);
    clock.advanceSeconds(LLM_SECONDS);
    const prompt = tokens(messages.map((m) => m.content).join('\n'));
    const completion = tokens(step.reply);
    return {
      json: chatCompletion({
        model: req.body?.model,
        id: `chatcmpl-simulated-${attempt + 1}`,
        content: step.reply,
        usage: { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion },
      }),
    };
  };

  const proxy = await startClockProxy(e2b.sandboxUrl, clock);
  return {
    clock,
    openai: { baseURL: openai.url, apiKey: 'sk-simulated' },
    sandbox: { apiUrl: e2b.apiUrl, sandboxUrl: proxy.url, apiKey: FAKE_E2B_API_KEY },
    async close() {
      await new Promise<void>((resolve) => {
        proxy.server.close(() => resolve());
        proxy.server.closeAllConnections();
      });
      await Promise.all([openai.close(), e2b.close()]);
    },
  };
}

/**
 * Forwards sandbox traffic to the E2B fake, moving the clock by RUN_SECONDS
 * while a code run is in flight, as if the code took that long.
 */
async function startClockProxy(target: string, clock: SimulatedClock): Promise<{ server: Server; url: string }> {
  const upstream = new URL(target);
  const server = createServer((req, res) => {
    if (req.method === 'POST' && req.url?.startsWith('/execute')) clock.advanceSeconds(RUN_SECONDS);
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
