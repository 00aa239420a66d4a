/**
 * A fake of E2B on 127.0.0.1, speaking the wire formats the real `e2b` and
 * `@e2b/code-interpreter` SDKs speak, so tests drive the real SDKs:
 *
 * - the control plane (REST + JSON): `POST /v2/sandboxes`, `GET/DELETE
 *   /sandboxes/:id`, `POST /sandboxes/:id/timeout`, `/pause`, `/resume`,
 *   `POST /v2/sandboxes/:id/connect`, `GET /events/sandboxes/:id` (lifecycle
 *   events), `GET /sandboxes/:id/metrics` (a use sample every 5 s of running
 *   life, as E2B takes them), errors as `{ code, message }`;
 * - envd (connect-rpc with JSON): unary `application/json` calls and
 *   server-streaming `application/connect+json` envelopes for
 *   `process.Process/*` and `filesystem.Filesystem/*`, plus `GET/POST /files`
 *   and `GET /health`;
 * - the code-interpreter server: `POST /execute` (NDJSON stream) and
 *   `/contexts`.
 *
 * Point the SDK at it with `fake.env` (E2B_API_URL, E2B_SANDBOX_URL,
 * E2B_API_KEY) or the `apiUrl` / `sandboxUrl` / `apiKey` connection options.
 * Sandboxes live by the fake's clock (`now`): a sandbox past its `endAt` is
 * killed, or paused when it was created with `lifecycle.onTimeout = 'pause'`.
 * Requests to a sandbox that is not running get a 502, as from E2B's edge.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { listenOnLoopback, parseJson, readBody, writeJson } from './http';

// biome-ignore lint/suspicious/noExplicitAny: JSON from the wire, read field by field
type Json = any;

export type FakeSandboxState = 'running' | 'paused' | 'killed';

export interface FakeSandbox {
  sandboxId: string;
  templateId: string;
  state: FakeSandboxState;
  /** Why it stopped running: `kill`, `pause`, `timeout`, or `lost` (killed behind the SDK's back). */
  stoppedBy?: 'kill' | 'pause' | 'timeout' | 'lost';
  cpuCount: number;
  memoryMB: number;
  /** Start of the current running interval (ms, fake clock). */
  startedAt: number;
  /** When the sandbox will time out (ms, fake clock). */
  endAt: number;
  onTimeout: 'kill' | 'pause';
  /** A sandbox paused on timeout resumes when traffic reaches it. */
  autoResume: boolean;
  /** Lifetime (ms) given at create, connect or setTimeout. */
  timeoutMs: number;
  metadata: Record<string, string>;
  /** Files written through `files.write`, by path. */
  files: Map<string, string>;
  dirs: Set<string>;
  /** Running milliseconds the fake saw, per finished interval. */
  runningMs: number[];
  /** Running intervals (ms, fake clock); the last one is open while running. */
  runs: Array<{ from: number; to?: number }>;
  /** Use levels set by `controls.setUsage`, in time order: each holds from `fromMs` on. */
  usage: Array<{ fromMs: number; cpuUsedPct: number; memUsedMiB: number }>;
  /** Lifecycle events, as `GET /events/sandboxes/:id` serves them. */
  events: Array<{ type: string; timestamp: number; eventData?: Record<string, string> | null }>;
}

export interface RecordedE2BRequest {
  server: 'api' | 'sandbox';
  method: string;
  /** Path without the query string. */
  path: string;
  sandboxId?: string;
  headers: IncomingMessage['headers'];
  /** Parsed JSON body (unwrapped from its envelope for connect streams), when JSON. */
  body?: Json;
}

export interface FailSpec {
  status: number;
  message?: string;
  /** Seconds, sent as `Retry-After`. */
  retryAfter?: number;
  /** Which request fails: the first that matches (method and/or path). Any request by default. */
  match?: { server?: 'api' | 'sandbox'; method?: string; path?: string | RegExp };
}

export interface HeldResponse {
  /** Resolves once the matching request was answered, its answer held back. */
  readonly answered: Promise<void>;
  /** Sends the held answer. */
  release(): void;
}

export interface ExecutionSpec {
  stdout?: string[];
  stderr?: string[];
  /** The cell's main result (`text/plain`). */
  result?: string;
  /** A Python-style error raised by the cell. */
  error?: { name: string; value: string; traceback?: string };
}

export interface CommandSpec {
  exitCode?: number;
  stdout?: string;
  stderr?: string;
  /**
   * Keep the process running after its start event until `release()` is
   * called (background commands, `commands.kill`).
   */
  hold?: boolean;
}

export interface HeldCommand {
  pid: number;
  sandboxId: string;
  /** Finishes the process with the spec's output and exit code (or the one given). */
  release(exitCode?: number): void;
}

export interface FakeE2BControls {
  /** The next request matching `spec.match` fails with `spec.status`. */
  failNext(spec: FailSpec): void;
  /**
   * The answer to the next request matching `match` is computed at once but
   * sent only on `release()`, so a test can deliver it after later calls.
   */
  holdNextResponse(match?: FailSpec['match']): HeldResponse;
  /** Kills the sandbox behind the SDK's back: it vanishes from the API and envd answers 502. */
  loseSandbox(sandboxId: string): void;
  /** Output of the next `runCode` (per fake, FIFO). */
  nextExecution(spec: ExecutionSpec): void;
  /** Behaviour of the next `commands.run` (per fake, FIFO). */
  nextCommand(spec: CommandSpec): void;
  /** Commands started with `hold: true` and not yet finished. */
  heldCommands(): HeldCommand[];
  /**
   * From the fake's current time on, the sandbox uses `cpuUsedPct` percent of
   * its vCPUs and `memUsedMiB` of memory (0 and 0 until set); the metrics
   * endpoint reports it in each 5-second sample taken from then on.
   */
  setUsage(sandboxId: string, usage: { cpuUsedPct: number; memUsedMiB: number }): void;
  /** Applies timeouts due at the fake's current time (also done on every request). */
  tick(): void;
}

export interface FakeE2BOptions {
  /** The fake's clock (ms). Share it with the instrumentation's clock in tests. */
  now?: () => number;
  /** Size of each template; unknown templates get `base`'s size. */
  templates?: Record<string, { cpuCount: number; memoryMB: number }>;
  envdVersion?: string;
}

export interface FakeE2B {
  apiUrl: string;
  sandboxUrl: string;
  apiKey: string;
  /** E2B_API_URL, E2B_SANDBOX_URL and E2B_API_KEY for this fake. */
  env: Record<string, string>;
  /** Connection options for the SDK (`Sandbox.create({ ...fake.connection })`). */
  connection: { apiUrl: string; sandboxUrl: string; apiKey: string };
  sandboxes: Map<string, FakeSandbox>;
  requests: RecordedE2BRequest[];
  /** Bodies of `/execute` requests, in order (to check what reached the sandbox). */
  executions: Array<{ sandboxId: string; code: string; language?: string; envVars?: Record<string, string> }>;
  /** Commands started, in order. */
  commands: Array<{ sandboxId: string; pid: number; cmd: string; envs: Record<string, string> }>;
  controls: FakeE2BControls;
  /** Clears sandboxes, requests and queued controls. */
  reset(): void;
  close(): Promise<void>;
}

export const FAKE_E2B_API_KEY = 'e2b_fake_key_0000000000000000000000000000';

const DEFAULT_TEMPLATES: Record<string, { cpuCount: number; memoryMB: number }> = {
  base: { cpuCount: 2, memoryMB: 512 },
  'code-interpreter-v1': { cpuCount: 2, memoryMB: 2048 },
  desktop: { cpuCount: 8, memoryMB: 8192 },
};

const DEFAULT_TIMEOUT_S = 300;
/** E2B samples a running sandbox's use every 5 seconds. */
const METRICS_PERIOD_MS = 5000;

// connect-rpc error codes and their HTTP statuses (connect protocol spec).
const CONNECT_CODE_FOR_STATUS: Record<number, string> = {
  400: 'invalid_argument',
  401: 'unauthenticated',
  403: 'permission_denied',
  404: 'not_found',
  409: 'already_exists',
  429: 'resource_exhausted',
  499: 'canceled',
  500: 'internal',
  501: 'unimplemented',
  503: 'unavailable',
  504: 'deadline_exceeded',
};

interface Held {
  pid: number;
  sandboxId: string;
  spec: CommandSpec;
  finish: (exitCode?: number) => void;
}

export async function startFakeE2B(options: FakeE2BOptions = {}): Promise<FakeE2B> {
  const now = options.now ?? (() => Date.now());
  const templates = { ...DEFAULT_TEMPLATES, ...options.templates };
  const envdVersion = options.envdVersion ?? '0.6.4';
  const sandboxes = new Map<string, FakeSandbox>();
  const requests: RecordedE2BRequest[] = [];
  const executions: FakeE2B['executions'] = [];
  const commands: FakeE2B['commands'] = [];
  let failures: FailSpec[] = [];
  let holds: Array<{ match: FailSpec['match']; answered: () => void; gate: Promise<void> }> = [];
  let executionQueue: ExecutionSpec[] = [];
  let commandQueue: CommandSpec[] = [];
  const held = new Map<number, Held>();
  let sandboxCounter = 0;
  let pidCounter = 100;
  let contextCounter = 0;

  const stop = (sb: FakeSandbox, state: FakeSandboxState, by: FakeSandbox['stoppedBy'], at: number) => {
    if (sb.state === 'running') {
      sb.runningMs.push(at - sb.startedAt);
      const run = sb.runs[sb.runs.length - 1];
      if (run && run.to === undefined) run.to = at;
    }
    if (sb.state !== state) sb.events.push({ type: `sandbox.lifecycle.${state}`, timestamp: at });
    sb.state = state;
    sb.stoppedBy = by;
    for (const h of held.values()) if (h.sandboxId === sb.sandboxId) h.finish(-1);
  };

  const resume = (sb: FakeSandbox, timeoutMs: number) => {
    const t = now();
    sb.state = 'running';
    sb.stoppedBy = undefined;
    sb.startedAt = t;
    sb.timeoutMs = timeoutMs;
    sb.endAt = t + timeoutMs;
    sb.runs.push({ from: t });
    sb.events.push({ type: 'sandbox.lifecycle.resumed', timestamp: t });
  };

  const tick = () => {
    const t = now();
    for (const sb of sandboxes.values()) {
      if (sb.state === 'running' && t >= sb.endAt) {
        stop(sb, sb.onTimeout === 'pause' ? 'paused' : 'killed', 'timeout', sb.endAt);
      }
    }
  };

  const matches = (m: FailSpec['match'], server: 'api' | 'sandbox', method: string, path: string): boolean => {
    if (!m) return true;
    if (m.server && m.server !== server) return false;
    if (m.method && m.method.toUpperCase() !== method) return false;
    if (m.path instanceof RegExp) return m.path.test(path);
    if (typeof m.path === 'string') return m.path === path;
    return true;
  };

  const takeFailure = (server: 'api' | 'sandbox', method: string, path: string): FailSpec | undefined => {
    const index = failures.findIndex((f) => matches(f.match, server, method, path));
    if (index < 0) return undefined;
    return failures.splice(index, 1)[0];
  };

  /** Holds back the end of the response (headers are sent with it) of a request a test asked to hold. */
  const holdResponse = (res: ServerResponse, server: 'api' | 'sandbox', method: string, path: string): void => {
    const index = holds.findIndex((h) => matches(h.match, server, method, path));
    if (index < 0) return;
    const [hold] = holds.splice(index, 1);
    if (!hold) return;
    const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
    res.end = ((...args: unknown[]) => {
      hold.answered();
      void hold.gate.then(() => end(...args));
      return res;
    }) as ServerResponse['end'];
  };

  const sandboxJson = (sb: FakeSandbox) => ({
    sandboxID: sb.sandboxId,
    templateID: sb.templateId,
    clientID: 'fake-client',
    envdVersion,
    domain: null,
  });

  const detailJson = (sb: FakeSandbox) => ({
    ...sandboxJson(sb),
    startedAt: new Date(sb.startedAt).toISOString(),
    endAt: new Date(sb.endAt).toISOString(),
    cpuCount: sb.cpuCount,
    memoryMB: sb.memoryMB,
    diskSizeMB: 10240,
    state: sb.state === 'running' ? 'running' : 'paused',
    metadata: sb.metadata,
    lifecycle: { onTimeout: sb.onTimeout, autoResume: sb.autoResume },
  });

  // --- control plane -------------------------------------------------------
  const api = await listenOnLoopback(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = req.method ?? 'GET';
    const path = url.pathname;
    const raw = await readBody(req);
    const body = parseJson(raw.toString('utf8'));
    const idMatch = /^\/(?:v2\/)?sandboxes\/([^/]+)/.exec(path);
    requests.push({ server: 'api', method, path, sandboxId: idMatch?.[1], headers: req.headers, body });
    holdResponse(res, 'api', method, path);
    tick();

    const fail = takeFailure('api', method, path);
    if (fail) return apiError(res, fail.status, fail.message ?? `fake failure ${fail.status}`, fail.retryAfter);
    if (req.headers['x-api-key'] !== FAKE_E2B_API_KEY) return apiError(res, 401, 'Invalid API key');

    if (method === 'POST' && path === '/v2/sandboxes') {
      const templateId = typeof body?.templateID === 'string' ? body.templateID : 'base';
      const size = templates[templateId] ?? templates.base ?? { cpuCount: 2, memoryMB: 512 };
      const t = now();
      const timeoutMs = (typeof body?.timeout === 'number' ? body.timeout : DEFAULT_TIMEOUT_S) * 1000;
      const sb: FakeSandbox = {
        sandboxId: `sbx${String(++sandboxCounter).padStart(4, '0')}fake`,
        templateId,
        state: 'running',
        cpuCount: size.cpuCount,
        memoryMB: size.memoryMB,
        startedAt: t,
        endAt: t + timeoutMs,
        timeoutMs,
        onTimeout: body?.autoPause === true ? 'pause' : 'kill',
        autoResume: body?.autoResume?.enabled === true,
        metadata: body?.metadata ?? {},
        files: new Map(),
        dirs: new Set(['/', '/home', '/home/user']),
        runningMs: [],
        runs: [{ from: t }],
        usage: [],
        events: [{ type: 'sandbox.lifecycle.created', timestamp: t }],
      };
      sandboxes.set(sb.sandboxId, sb);
      return writeJson(res, 201, sandboxJson(sb));
    }

    const events = /^\/events\/sandboxes\/([^/]+)$/.exec(path);
    if (method === 'GET' && events) {
      const found = sandboxes.get(events[1] ?? '');
      const all = (found?.events ?? []).map((e) => ({
        version: 'v1',
        id: `${found?.sandboxId}-${e.type}-${e.timestamp}`,
        type: e.type,
        eventData: e.eventData ?? null,
        sandboxId: found?.sandboxId,
        sandboxTemplateId: found?.templateId,
        timestamp: isoSeconds(e.timestamp),
      }));
      if (url.searchParams.get('orderAsc') !== 'true') all.reverse();
      const offset = Number(url.searchParams.get('offset') ?? 0);
      const limit = Number(url.searchParams.get('limit') ?? 10);
      return writeJson(res, 200, all.slice(offset, offset + limit));
    }

    const id = idMatch?.[1];
    const sb = id ? sandboxes.get(id) : undefined;
    const gone = !sb || sb.state === 'killed';
    const rest = idMatch ? path.slice(idMatch[0].length) : path;

    if (idMatch && method === 'GET' && rest === '/metrics') {
      if (!sb) return apiError(res, 404, `sandbox "${id}" not found`);
      const start = url.searchParams.has('start') ? Number(url.searchParams.get('start')) * 1000 : -Infinity;
      const end = url.searchParams.has('end') ? Number(url.searchParams.get('end')) * 1000 : Infinity;
      return writeJson(
        res,
        200,
        metricSamples(sb, now()).filter((m) => m.timestampUnix * 1000 >= start && m.timestampUnix * 1000 <= end),
      );
    }
    if (idMatch && method === 'GET' && rest === '') {
      if (gone) return apiError(res, 404, `sandbox "${id}" doesn't exist or you don't have access to it`);
      return writeJson(res, 200, detailJson(sb));
    }
    if (idMatch && method === 'DELETE' && rest === '') {
      if (gone) return apiError(res, 404, `sandbox "${id}" not found`);
      stop(sb, 'killed', 'kill', now());
      return empty(res, 204);
    }
    if (idMatch && method === 'POST' && rest === '/timeout') {
      if (gone || sb.state !== 'running') return apiError(res, 404, `sandbox "${id}" not found`);
      sb.timeoutMs = (typeof body?.timeout === 'number' ? body.timeout : DEFAULT_TIMEOUT_S) * 1000;
      sb.endAt = now() + sb.timeoutMs;
      sb.events.push({
        type: 'sandbox.lifecycle.updated',
        timestamp: now(),
        eventData: { set_timeout: isoSeconds(sb.endAt) },
      });
      return empty(res, 204);
    }
    if (idMatch && method === 'POST' && rest === '/pause') {
      if (gone) return apiError(res, 404, `sandbox "${id}" not found`);
      if (sb.state === 'paused') return apiError(res, 409, `sandbox "${id}" is already paused`);
      stop(sb, 'paused', 'pause', now());
      return empty(res, 204);
    }
    if (idMatch && method === 'POST' && (rest === '/connect' || rest === '/resume')) {
      if (gone) return apiError(res, 404, `sandbox "${id}" not found`);
      const timeoutMs = (typeof body?.timeout === 'number' ? body.timeout : DEFAULT_TIMEOUT_S) * 1000;
      const t = now();
      if (sb.state === 'running') {
        // TTL is only extended, never shortened.
        sb.endAt = Math.max(sb.endAt, t + timeoutMs);
        return writeJson(res, 200, sandboxJson(sb));
      }
      resume(sb, timeoutMs);
      return writeJson(res, 201, sandboxJson(sb));
    }
    return apiError(res, 404, `no route for ${method} ${path}`);
  });

  // --- envd + code interpreter --------------------------------------------
  const sandbox = await listenOnLoopback(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = req.method ?? 'GET';
    const path = url.pathname;
    const sandboxId = headerValue(req.headers['e2b-sandbox-id']);
    const raw = await readBody(req);
    const contentType = headerValue(req.headers['content-type']) ?? '';
    const streaming = contentType.startsWith('application/connect+json');
    const body = streaming ? parseJson(unwrapEnvelope(raw)) : parseJson(raw.toString('utf8'));
    requests.push({ server: 'sandbox', method, path, sandboxId, headers: req.headers, body });
    holdResponse(res, 'sandbox', method, path);
    tick();

    const fail = takeFailure('sandbox', method, path);
    if (fail) {
      if (path.includes('.')) return connectError(res, fail.status, fail.message ?? `fake failure ${fail.status}`);
      return apiError(res, fail.status, fail.message ?? `fake failure ${fail.status}`, fail.retryAfter);
    }

    const sb = sandboxId ? sandboxes.get(sandboxId) : undefined;
    if (sb?.state === 'paused' && sb.autoResume && sb.stoppedBy === 'timeout') resume(sb, sb.timeoutMs);
    if (sb?.state !== 'running') {
      // E2B's edge answers for a sandbox that is not running.
      res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`The sandbox ${sandboxId ?? ''} was not found`);
      return;
    }

    if (method === 'GET' && path === '/health') return empty(res, 204);

    // process.Process
    if (path === '/process.Process/Start') return startProcess(res, sb, body);
    if (path === '/process.Process/SendSignal') {
      const pid = body?.process?.selector?.pid ?? body?.process?.pid;
      const h = typeof pid === 'number' ? held.get(pid) : undefined;
      if (!h || h.sandboxId !== sb.sandboxId) return connectError(res, 404, `process with pid ${pid} not found`);
      h.finish(-1);
      return writeJson(res, 200, {});
    }
    if (path === '/process.Process/List') {
      const processes = [...held.values()]
        .filter((h) => h.sandboxId === sb.sandboxId)
        .map((h) => ({ pid: h.pid, config: { cmd: '/bin/bash', args: [], envs: {} } }));
      return writeJson(res, 200, { processes });
    }

    // filesystem.Filesystem
    if (path.startsWith('/filesystem.Filesystem/')) return filesystem(res, sb, path.slice(23), body);
    if (path === '/files' && method === 'GET') {
      const filePath = url.searchParams.get('path') ?? '';
      const content = sb.files.get(filePath);
      if (content === undefined) return apiError(res, 404, `path '${filePath}' does not exist`);
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': Buffer.byteLength(content) });
      res.end(content);
      return;
    }
    if (path === '/files' && method === 'POST') {
      const form = await new Response(raw, { headers: { 'content-type': contentType } }).formData();
      const written: unknown[] = [];
      for (const [, value] of form.entries()) {
        if (typeof value === 'string') continue;
        const filePath = url.searchParams.get('path') ?? value.name;
        sb.files.set(filePath, await value.text());
        written.push(entry(filePath, 'file'));
      }
      return writeJson(res, 200, written);
    }

    // code interpreter
    if (path === '/execute' && method === 'POST') {
      executions.push({ sandboxId: sb.sandboxId, code: body?.code, language: body?.language, envVars: body?.env_vars });
      const spec = executionQueue.shift() ?? {};
      const lines: unknown[] = [];
      for (const text of spec.stdout ?? []) lines.push({ type: 'stdout', text, timestamp: now() * 1000 });
      for (const text of spec.stderr ?? []) lines.push({ type: 'stderr', text, timestamp: now() * 1000 });
      if (spec.result !== undefined) lines.push({ type: 'result', text: spec.result, is_main_result: true });
      if (spec.error) {
        lines.push({
          type: 'error',
          name: spec.error.name,
          value: spec.error.value,
          traceback: spec.error.traceback ?? '',
        });
      }
      lines.push({ type: 'number_of_executions', execution_count: executions.length });
      res.writeHead(200, { 'content-type': 'application/x-ndjson' });
      for (const line of lines) res.write(`${JSON.stringify(line)}\n`);
      res.end();
      return;
    }
    if (path === '/contexts' && method === 'POST') {
      return writeJson(res, 200, {
        id: `ctx${++contextCounter}`,
        language: body?.language ?? 'python',
        cwd: body?.cwd ?? '/home/user',
      });
    }
    if (path === '/contexts' && method === 'GET') return writeJson(res, 200, []);
    if (path.startsWith('/contexts/') && method === 'DELETE') return empty(res, 204);

    return apiError(res, 404, `no route for ${method} ${path}`);
  });

  function startProcess(res: ServerResponse, sb: FakeSandbox, body: Json): void {
    const args: string[] = body?.process?.args ?? [];
    const cmd = args[args.length - 1] ?? '';
    const envs: Record<string, string> = body?.process?.envs ?? {};
    const pid = ++pidCounter;
    commands.push({ sandboxId: sb.sandboxId, pid, cmd, envs });
    const spec: CommandSpec = commandQueue.shift() ?? defaultCommand(cmd);
    res.writeHead(200, { 'content-type': 'application/connect+json' });
    res.write(envelope({ event: { start: { pid } } }));
    const finish = (exitCode = spec.exitCode ?? 0) => {
      held.delete(pid);
      if (res.writableEnded || res.destroyed) return;
      if (spec.stdout) res.write(envelope({ event: { data: { stdout: b64(spec.stdout) } } }));
      if (spec.stderr) res.write(envelope({ event: { data: { stderr: b64(spec.stderr) } } }));
      const end: Record<string, unknown> = { exitCode, exited: true, status: `exit status ${exitCode}` };
      if (exitCode !== 0) end.error = `exit status ${exitCode}`;
      res.write(envelope({ event: { end } }));
      res.end(envelope({}, 0x02));
    };
    if (spec.hold) {
      held.set(pid, { pid, sandboxId: sb.sandboxId, spec, finish });
      res.on('close', () => held.delete(pid));
      return;
    }
    finish();
  }

  function filesystem(res: ServerResponse, sb: FakeSandbox, method: string, body: Json) {
    const p: string = body?.path ?? '';
    const exists = (x: string) => sb.files.has(x) || sb.dirs.has(x);
    const typeOf = (x: string) => (sb.dirs.has(x) ? 'dir' : 'file');
    switch (method) {
      case 'Stat':
        if (!exists(p)) return connectError(res, 404, `path '${p}' does not exist`);
        return writeJson(res, 200, { entry: entry(p, typeOf(p)) });
      case 'MakeDir':
        if (exists(p)) return connectError(res, 409, `path '${p}' already exists`);
        sb.dirs.add(p);
        return writeJson(res, 200, { entry: entry(p, 'dir') });
      case 'Move': {
        const from: string = body?.source ?? '';
        const to: string = body?.destination ?? '';
        if (!exists(from)) return connectError(res, 404, `path '${from}' does not exist`);
        const content = sb.files.get(from);
        if (content !== undefined) {
          sb.files.delete(from);
          sb.files.set(to, content);
        } else {
          sb.dirs.delete(from);
          sb.dirs.add(to);
        }
        return writeJson(res, 200, { entry: entry(to, typeOf(to)) });
      }
      case 'ListDir': {
        if (!sb.dirs.has(p)) return connectError(res, 404, `path '${p}' does not exist`);
        const prefix = p.endsWith('/') ? p : `${p}/`;
        const children = [...sb.dirs, ...sb.files.keys()].filter(
          (x) => x.startsWith(prefix) && x !== p && !x.slice(prefix.length).includes('/'),
        );
        return writeJson(res, 200, { entries: children.map((x) => entry(x, typeOf(x))) });
      }
      case 'Remove':
        sb.files.delete(p);
        sb.dirs.delete(p);
        return writeJson(res, 200, {});
      default:
        return connectError(res, 501, `filesystem.Filesystem/${method} is not implemented by the fake`);
    }
  }

  const apiUrl = api.origin;
  const sandboxUrl = sandbox.origin;

  const controls: FakeE2BControls = {
    failNext(spec) {
      failures.push(spec);
    },
    holdNextResponse(match) {
      let answered = () => {};
      let release = () => {};
      const answeredPromise = new Promise<void>((resolve) => {
        answered = resolve;
      });
      const gate = new Promise<void>((resolve) => {
        release = resolve;
      });
      holds.push({ match, answered, gate });
      return { answered: answeredPromise, release };
    },
    loseSandbox(id) {
      const sb = sandboxes.get(id);
      if (sb) stop(sb, 'killed', 'lost', now());
    },
    nextExecution(spec) {
      executionQueue.push(spec);
    },
    nextCommand(spec) {
      commandQueue.push(spec);
    },
    heldCommands() {
      return [...held.values()].map((h) => ({ pid: h.pid, sandboxId: h.sandboxId, release: (code) => h.finish(code) }));
    },
    setUsage(id, usage) {
      sandboxes.get(id)?.usage.push({ fromMs: now(), ...usage });
    },
    tick,
  };

  return {
    apiUrl,
    sandboxUrl,
    apiKey: FAKE_E2B_API_KEY,
    env: { E2B_API_URL: apiUrl, E2B_SANDBOX_URL: sandboxUrl, E2B_API_KEY: FAKE_E2B_API_KEY },
    connection: { apiUrl, sandboxUrl, apiKey: FAKE_E2B_API_KEY },
    sandboxes,
    requests,
    executions,
    commands,
    controls,
    reset() {
      sandboxes.clear();
      requests.length = 0;
      executions.length = 0;
      commands.length = 0;
      failures = [];
      holds = [];
      executionQueue = [];
      commandQueue = [];
      for (const h of [...held.values()]) h.finish(-1);
    },
    async close() {
      for (const h of [...held.values()]) h.finish(-1);
      await Promise.all([api.close(), sandbox.close()]);
    },
  };
}

/** The samples E2B holds for `sb` at `t`: one per 5 s of each running interval, in E2B's wire shape. */
function metricSamples(sb: FakeSandbox, t: number) {
  const samples = [];
  for (const run of sb.runs) {
    const until = Math.min(run.to ?? t, t);
    for (let at = run.from + METRICS_PERIOD_MS; at <= until; at += METRICS_PERIOD_MS) {
      const level = sb.usage.filter((u) => u.fromMs <= at).pop() ?? { cpuUsedPct: 0, memUsedMiB: 0 };
      samples.push({
        timestamp: new Date(at).toISOString(),
        timestampUnix: Math.floor(at / 1000),
        cpuUsedPct: level.cpuUsedPct,
        cpuCount: sb.cpuCount,
        memUsed: level.memUsedMiB * 1024 * 1024,
        memTotal: sb.memoryMB * 1024 * 1024,
        memCache: 0,
        diskUsed: 512 * 1024 * 1024,
        diskTotal: 10240 * 1024 * 1024,
      });
    }
  }
  return samples;
}

function defaultCommand(cmd: string): CommandSpec {
  const echo = /^echo\s+(.*)$/.exec(cmd);
  return { exitCode: 0, stdout: echo ? `${echo[1]}\n` : '' };
}

function entry(path: string, type: 'file' | 'dir') {
  return {
    name: path.split('/').pop() ?? path,
    type: type === 'dir' ? 'FILE_TYPE_DIRECTORY' : 'FILE_TYPE_FILE',
    path,
    size: '0',
    mode: type === 'dir' ? 0o755 : 0o644,
    permissions: type === 'dir' ? 'drwxr-xr-x' : '-rw-r--r--',
    owner: 'user',
    group: 'user',
    modifiedTime: '2025-01-01T12:00:00Z',
  };
}

function envelope(message: unknown, flags = 0): Buffer {
  const payload = Buffer.from(JSON.stringify(message), 'utf8');
  const head = Buffer.alloc(5);
  head.writeUInt8(flags, 0);
  head.writeUInt32BE(payload.length, 1);
  return Buffer.concat([head, payload]);
}

function unwrapEnvelope(raw: Buffer): string {
  if (raw.length < 5) return '';
  const length = raw.readUInt32BE(1);
  return raw.subarray(5, 5 + length).toString('utf8');
}

/** E2B event timestamps: RFC 3339, whole seconds. */
function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function b64(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64');
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function empty(res: ServerResponse, status: number): void {
  res.writeHead(status);
  res.end();
}

/** E2B control-plane and envd HTTP error body: `{ code, message }`. */
function apiError(res: ServerResponse, status: number, message: string, retryAfter?: number): void {
  writeJson(
    res,
    status,
    { code: status, message },
    retryAfter === undefined ? {} : { 'retry-after': String(retryAfter) },
  );
}

/** connect-rpc error: HTTP status plus `{ code, message }` with the connect code name. */
function connectError(res: ServerResponse, status: number, message: string): void {
  writeJson(res, status, { code: CONNECT_CODE_FOR_STATUS[status] ?? 'unknown', message });
}
