/**
 * A fake of the Vercel Sandbox API on 127.0.0.1, speaking the wire format
 * the real `@vercel/sandbox` SDK speaks (JSON validated by the SDK's own zod
 * schemas, NDJSON command streams), so tests drive the real SDK:
 * `POST /v3/sandboxes` (and `/v2/sandboxes` with a runtime),
 * `GET /v2/sandboxes/:name`, `POST /v2/sandboxes/sessions/:id/cmd`,
 * `.../stop`, `.../extend-timeout`; errors as `{ error: { code, message } }`.
 *
 * The SDK always calls `https://vercel.com/api`; pass `fake.credentials`
 * (token, team, project and a `fetch` that sends those requests here
 * instead) to `Sandbox.create` / `Sandbox.get`. Sessions live by the fake's
 * clock (`now`); a session past its timeout is stopped, as Vercel does.
 */
import { listenOnLoopback, parseJson, readBody, writeJson } from './http';

// biome-ignore lint/suspicious/noExplicitAny: JSON from the wire, read field by field
type Json = any;

export interface FakeVercelSession {
  id: string;
  sandboxName: string;
  vcpus: number;
  /** MB: Vercel allocates 2048 per vCPU. */
  memory: number;
  /** Lifetime in ms from `startedAt`. */
  timeout: number;
  /** `pending`: provisioned, not yet running (it never starts by itself here). */
  status: 'pending' | 'running' | 'stopped';
  startedAt: number;
  stoppedAt?: number;
  /** CPU time the commands used, as Vercel reports it at stop. */
  activeCpuDurationMs: number;
}

export interface FakeVercelCommand {
  exitCode?: number;
  stdout?: string;
  /** CPU time the command uses, added to its session's `activeCpuDurationMs`. */
  cpuMs?: number;
}

export interface FakeVercelSandbox {
  apiBase: string;
  /** Spread into `Sandbox.create({ ... })` / `Sandbox.get({ ... })`. */
  credentials: { token: string; teamId: string; projectId: string; fetch: typeof fetch };
  sessions: Map<string, FakeVercelSession>;
  requests: Array<{ method: string; path: string; body?: Json }>;
  /** Behaviour of the next `runCommand` (FIFO). */
  nextCommand(spec: FakeVercelCommand): void;
  /** The next create answers with its session still `pending`. */
  nextCreatePending(): void;
  /** Holds the next create's answer until the returned function is called. */
  holdNextCreate(): () => void;
  reset(): void;
  close(): Promise<void>;
}

export const FAKE_VERCEL_TOKEN = 'vercel_fake_token_0000000000000000';
const VERCEL_API = 'https://vercel.com/api';

export async function startFakeVercelSandbox(options: { now?: () => number } = {}): Promise<FakeVercelSandbox> {
  const now = options.now ?? (() => Date.now());
  const sessions = new Map<string, FakeVercelSession>();
  const sandboxes = new Map<
    string,
    { name: string; vcpus: number; timeout: number; createdAt: number; current: string }
  >();
  const requests: FakeVercelSandbox['requests'] = [];
  let commands: FakeVercelCommand[] = [];
  let createPending = false;
  let createHold: Promise<void> | undefined;
  let counter = 0;
  let commandCounter = 0;

  const tick = () => {
    for (const s of sessions.values()) {
      if (s.status === 'running' && now() >= s.startedAt + s.timeout) {
        s.status = 'stopped';
        s.stoppedAt = s.startedAt + s.timeout;
      }
    }
  };

  const startSession = (name: string, vcpus: number, timeout: number): FakeVercelSession => {
    const session: FakeVercelSession = {
      id: `sbx_fake${String(++counter).padStart(4, '0')}`,
      sandboxName: name,
      vcpus,
      memory: vcpus * 2048,
      timeout,
      status: 'running',
      startedAt: now(),
      activeCpuDurationMs: 0,
    };
    sessions.set(session.id, session);
    return session;
  };

  const sessionJson = (s: FakeVercelSession) => ({
    id: s.id,
    memory: s.memory,
    vcpus: s.vcpus,
    region: 'iad1',
    runtime: 'node24',
    timeout: s.timeout,
    status: s.status,
    requestedAt: s.startedAt,
    startedAt: s.startedAt,
    ...(s.stoppedAt === undefined
      ? {}
      : { stoppedAt: s.stoppedAt, duration: s.stoppedAt - s.startedAt, activeCpuDurationMs: s.activeCpuDurationMs }),
    createdAt: s.startedAt,
    cwd: '/vercel/sandbox',
    updatedAt: now(),
  });

  const sandboxJson = (name: string) => {
    const sb = sandboxes.get(name)!;
    const current = sessions.get(sb.current)!;
    return {
      name,
      persistent: true,
      region: 'iad1',
      vcpus: sb.vcpus,
      memory: sb.vcpus * 2048,
      runtime: 'node24',
      timeout: sb.timeout,
      createdAt: sb.createdAt,
      updatedAt: now(),
      currentSessionId: sb.current,
      status: current.status,
    };
  };

  const error = (res: Parameters<typeof writeJson>[0], status: number, code: string, message: string) =>
    writeJson(res, status, { error: { code, message } });

  const server = await listenOnLoopback(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = req.method ?? 'GET';
    const path = url.pathname;
    const body = parseJson((await readBody(req)).toString('utf8'));
    requests.push({ method, path, body });
    tick();
    if (req.headers.authorization !== `Bearer ${FAKE_VERCEL_TOKEN}`)
      return error(res, 403, 'forbidden', 'Not authorized');

    if (method === 'POST' && (path === '/v3/sandboxes' || path === '/v2/sandboxes')) {
      const name = body?.name ?? `sandbox-${counter + 1}`;
      const vcpus = body?.resources?.vcpus ?? 2;
      const timeout = body?.timeout ?? 300_000;
      const hold = createHold;
      createHold = undefined;
      if (hold) await hold;
      const session = startSession(name, vcpus, timeout);
      if (createPending) session.status = 'pending';
      createPending = false;
      sandboxes.set(name, { name, vcpus, timeout, createdAt: now(), current: session.id });
      return writeJson(res, 200, { sandbox: sandboxJson(name), session: sessionJson(session), routes: [] });
    }
    const byName = /^\/v2\/sandboxes\/([^/]+)$/.exec(path);
    if (method === 'GET' && byName) {
      const sb = sandboxes.get(decodeURIComponent(byName[1] ?? ''));
      if (!sb) return error(res, 404, 'not_found', 'Sandbox not found');
      let resumed = false;
      if (sessions.get(sb.current)?.status !== 'running' && url.searchParams.get('resume') === 'true') {
        sb.current = startSession(sb.name, sb.vcpus, sb.timeout).id;
        resumed = true;
      }
      const session = sessions.get(sb.current)!;
      return writeJson(res, 200, { sandbox: sandboxJson(sb.name), session: sessionJson(session), routes: [], resumed });
    }
    const match = /^\/v2\/sandboxes\/sessions\/([^/]+)\/([a-z-]+)$/.exec(path);
    const session = match ? sessions.get(match[1] ?? '') : undefined;
    if (!match || !session) return error(res, 404, 'not_found', `No route for ${method} ${path}`);
    if (session.status !== 'running') return error(res, 410, 'sandbox_stopped', 'Sandbox is stopped');
    const action = match[2];
    if (method === 'POST' && action === 'stop') {
      session.status = 'stopped';
      session.stoppedAt = now();
      return writeJson(res, 200, { session: sessionJson(session), sandbox: sandboxJson(session.sandboxName) });
    }
    if (method === 'POST' && action === 'extend-timeout') {
      session.timeout += typeof body?.duration === 'number' ? body.duration : 0;
      return writeJson(res, 200, { session: sessionJson(session) });
    }
    if (method === 'POST' && action === 'cmd') {
      const spec = commands.shift() ?? {};
      session.activeCpuDurationMs += spec.cpuMs ?? 0;
      const command = {
        id: `cmd_${++commandCounter}`,
        name: body?.command ?? '',
        args: body?.args ?? [],
        cwd: body?.cwd ?? '/vercel/sandbox',
        sessionId: session.id,
        exitCode: null as number | null,
        startedAt: now(),
      };
      res.writeHead(200, { 'content-type': 'application/x-ndjson' });
      res.write(`${JSON.stringify({ command })}\n`);
      if (spec.stdout) res.write(`${JSON.stringify({ stream: 'stdout', data: spec.stdout })}\n`);
      res.end(`${JSON.stringify({ command: { ...command, exitCode: spec.exitCode ?? 0, durationMs: 0 } })}\n`);
      return;
    }
    return error(res, 404, 'not_found', `No route for ${method} ${path}`);
  });

  const apiBase = server.origin;
  const redirect: typeof fetch = (input, init) => {
    const target = String(input instanceof Request ? input.url : input);
    const { dispatcher: _ignored, ...rest } = (init ?? {}) as RequestInit & { dispatcher?: unknown };
    return fetch(target.startsWith(VERCEL_API) ? apiBase + target.slice(VERCEL_API.length) : target, rest);
  };

  return {
    apiBase,
    credentials: { token: FAKE_VERCEL_TOKEN, teamId: 'team_fake', projectId: 'prj_fake', fetch: redirect },
    sessions,
    requests,
    nextCommand(spec) {
      commands.push(spec);
    },
    nextCreatePending() {
      createPending = true;
    },
    holdNextCreate() {
      let release = () => {};
      createHold = new Promise<void>((resolve) => {
        release = resolve;
      });
      return () => release();
    },
    reset() {
      sessions.clear();
      sandboxes.clear();
      requests.length = 0;
      commands = [];
      createPending = false;
      createHold = undefined;
      counter = 0;
      commandCounter = 0;
    },
    async close() {
      await server.close();
    },
  };
}
