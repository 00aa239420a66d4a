/**
 * A fake of Daytona on 127.0.0.1, speaking the wire format the real
 * `@daytonaio/sdk` speaks (its generated `@daytona/api-client` and
 * `@daytona/toolbox-api-client`), so tests drive the real SDK:
 *
 * - the API (REST + JSON, `Authorization: Bearer`): `POST /sandbox`,
 *   `GET/DELETE /sandbox/:id`, `POST /sandbox/:id/start|stop|archive|pause`,
 *   `POST /sandbox/:id/autostop/:minutes`, `GET /sandbox/:id/toolbox-proxy-url`,
 *   `GET /sandbox/:id/telemetry/metrics` (usage samples, a read: not activity),
 *   `GET /config` (no analytics API, so the SDK reads metrics from the API),
 *   errors as `{ statusCode, message, error }`;
 * - the toolbox proxy (`{toolboxProxyUrl}/{sandboxId}/...`):
 *   `POST /process/execute`, `POST /process/code-run`, `POST /files/folder`,
 *   `GET /files`, `GET /files/info`, `DELETE /files`.
 *
 * Create the SDK client with `{ ...fake.config, useDeprecatedPolling: true }`:
 * the fake serves no event socket, so the SDK polls state as it does
 * without one. Sandboxes live by the fake's clock (`now`); one idle past its
 * auto-stop interval is stopped, as Daytona does.
 */
import type { ServerResponse } from 'node:http';
import { listenOnLoopback, parseJson, readBody, writeJson } from './http';

// biome-ignore lint/suspicious/noExplicitAny: JSON from the wire, read field by field
type Json = any;

export type FakeDaytonaState = 'started' | 'stopped' | 'archived' | 'paused' | 'destroyed' | 'error';

export interface FakeDaytonaSandbox {
  id: string;
  state: FakeDaytonaState;
  cpu: number;
  memory: number;
  disk: number;
  /** Minutes of inactivity before Daytona stops it; 0 = never. */
  autoStopInterval: number;
  lastActivityAt: number;
  createdAt: number;
  labels: Record<string, string>;
  /** Running milliseconds per finished interval, as Daytona bills them. */
  runningMs: number[];
  /** Usage samples the telemetry endpoint serves. */
  usage: FakeDaytonaUsage[];
  startedAt: number;
}

/** One usage sample, as Daytona's sandbox telemetry records it. */
export interface FakeDaytonaUsage {
  atMs: number;
  /** Percent of the sandbox's vCPUs (0-100). */
  cpuUsedPct: number;
  memUsedMib: number;
}

export interface FakeDaytona {
  apiUrl: string;
  toolboxUrl: string;
  apiKey: string;
  /** Options for `new Daytona(...)`. */
  config: { apiUrl: string; apiKey: string; target: string };
  sandboxes: Map<string, FakeDaytonaSandbox>;
  requests: Array<{ server: 'api' | 'toolbox'; method: string; path: string; body?: Json }>;
  /** Output of the next `executeCommand` / `codeRun` (FIFO). */
  nextResult(result: { exitCode: number; result: string }): void;
  /** Applies the auto-stops due at the fake's current time (also done on every request). */
  tick(): void;
  reset(): void;
  close(): Promise<void>;
}

export const FAKE_DAYTONA_API_KEY = 'dtn_fake_key_000000000000000000000000';

export async function startFakeDaytona(options: { now?: () => number } = {}): Promise<FakeDaytona> {
  const now = options.now ?? (() => Date.now());
  const sandboxes = new Map<string, FakeDaytonaSandbox>();
  const requests: FakeDaytona['requests'] = [];
  let results: Array<{ exitCode: number; result: string }> = [];
  let counter = 0;

  const stopRunning = (sb: FakeDaytonaSandbox, state: FakeDaytonaState, at: number) => {
    if (sb.state === 'started') sb.runningMs.push(at - sb.startedAt);
    sb.state = state;
  };

  const tick = () => {
    const t = now();
    for (const sb of sandboxes.values()) {
      const stopAt = sb.lastActivityAt + sb.autoStopInterval * 60_000;
      if (sb.state === 'started' && sb.autoStopInterval > 0 && t >= stopAt) stopRunning(sb, 'stopped', stopAt);
    }
  };

  let toolboxUrl = '';
  const dto = (sb: FakeDaytonaSandbox) => ({
    id: sb.id,
    name: sb.id,
    organizationId: 'org-fake',
    snapshot: 'daytonaio/sandbox:0.4.3',
    user: 'daytona',
    env: {},
    labels: sb.labels,
    public: false,
    target: 'us',
    cpu: sb.cpu,
    gpu: 0,
    memory: sb.memory,
    disk: sb.disk,
    state: sb.state,
    desiredState: sb.state,
    autoStopInterval: sb.autoStopInterval,
    autoArchiveInterval: 10080,
    autoDeleteInterval: -1,
    volumes: [],
    createdAt: new Date(sb.createdAt).toISOString(),
    updatedAt: new Date(now()).toISOString(),
    lastActivityAt: new Date(sb.lastActivityAt).toISOString(),
    toolboxProxyUrl: toolboxUrl,
  });

  const notFound = (res: ServerResponse, id: string) =>
    writeJson(res, 404, { statusCode: 404, message: `Sandbox with ID or name ${id} not found`, error: 'Not Found' });

  const api = await listenOnLoopback(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = req.method ?? 'GET';
    const path = url.pathname;
    const body = parseJson((await readBody(req)).toString('utf8'));
    requests.push({ server: 'api', method, path, body });
    tick();
    if (req.headers.authorization !== `Bearer ${FAKE_DAYTONA_API_KEY}`) {
      return writeJson(res, 401, { statusCode: 401, message: 'Unauthorized', error: 'Unauthorized' });
    }
    if (method === 'POST' && path === '/sandbox') {
      const t = now();
      const sb: FakeDaytonaSandbox = {
        id: `dtn-sbx-${String(++counter).padStart(4, '0')}`,
        state: 'started',
        cpu: body?.cpu ?? 1,
        memory: body?.memory ?? 1,
        disk: body?.disk ?? 3,
        autoStopInterval: body?.autoStopInterval ?? 15,
        lastActivityAt: t,
        createdAt: t,
        startedAt: t,
        labels: body?.labels ?? {},
        runningMs: [],
        usage: [],
      };
      sandboxes.set(sb.id, sb);
      return writeJson(res, 200, dto(sb));
    }
    if (method === 'GET' && path === '/config') return writeJson(res, 200, { version: 'fake', analyticsApiUrl: null });
    const match = /^\/sandbox\/([^/]+)(\/.*)?$/.exec(path);
    const id = match?.[1] ?? '';
    const rest = match?.[2] ?? '';
    const sb = sandboxes.get(id);
    if (!match || !sb || sb.state === 'destroyed') return notFound(res, id);
    const t = now();
    if (method === 'GET' && rest === '') return writeJson(res, 200, dto(sb));
    if (method === 'GET' && rest === '/toolbox-proxy-url') return writeJson(res, 200, { url: toolboxUrl });
    if (method === 'GET' && rest === '/telemetry/metrics')
      return writeJson(res, 200, metricsJson(sb, url.searchParams));
    if (method === 'DELETE' && rest === '') {
      stopRunning(sb, 'destroyed', t);
      return writeJson(res, 200, dto(sb));
    }
    if (method === 'POST' && rest === '/start') {
      if (sb.state !== 'started') {
        sb.state = 'started';
        sb.startedAt = t;
      }
      sb.lastActivityAt = t;
      return writeJson(res, 200, dto(sb));
    }
    if (method === 'POST' && rest === '/stop') {
      stopRunning(sb, 'stopped', t);
      return writeJson(res, 200, dto(sb));
    }
    if (method === 'POST' && rest === '/pause') {
      stopRunning(sb, 'paused', t);
      return writeJson(res, 200, dto(sb));
    }
    if (method === 'POST' && rest === '/archive') {
      if (sb.state === 'started') {
        return writeJson(res, 400, { statusCode: 400, message: 'Sandbox is not stopped', error: 'Bad Request' });
      }
      sb.state = 'archived';
      return writeJson(res, 200, dto(sb));
    }
    const autostop = /^\/autostop\/(\d+)$/.exec(rest);
    if (method === 'POST' && autostop) {
      sb.autoStopInterval = Number(autostop[1]);
      sb.lastActivityAt = t;
      return writeJson(res, 200, dto(sb));
    }
    return writeJson(res, 404, { statusCode: 404, message: `Cannot ${method} ${path}`, error: 'Not Found' });
  });

  const toolbox = await listenOnLoopback(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = req.method ?? 'GET';
    const [, id = '', ...segments] = url.pathname.split('/');
    const path = `/${segments.join('/')}`;
    const body = parseJson((await readBody(req)).toString('utf8'));
    requests.push({ server: 'toolbox', method, path, body });
    tick();
    const sb = sandboxes.get(id);
    if (sb?.state !== 'started') {
      return writeJson(res, 400, { statusCode: 400, message: `sandbox ${id} is not running`, error: 'Bad Request' });
    }
    sb.lastActivityAt = now();
    if (method === 'POST' && (path === '/process/execute' || path === '/process/code-run')) {
      const next = results.shift() ?? { exitCode: 0, result: '' };
      return writeJson(res, 200, path === '/process/execute' ? next : { ...next, artifacts: {} });
    }
    if (method === 'POST' && path === '/files/folder') return empty(res);
    if (method === 'DELETE' && path === '/files') return empty(res);
    if (method === 'GET' && path === '/files') return writeJson(res, 200, []);
    if (method === 'GET' && path === '/files/info') {
      return writeJson(res, 200, {
        name: url.searchParams.get('path')?.split('/').pop() ?? '',
        isDir: true,
        size: 0,
        modTime: new Date(now()).toISOString(),
        mode: 'drwxr-xr-x',
        permissions: '0755',
        owner: 'daytona',
        group: 'daytona',
      });
    }
    return writeJson(res, 404, { statusCode: 404, message: `Cannot ${method} ${path}`, error: 'Not Found' });
  });
  toolboxUrl = toolbox.origin;

  return {
    apiUrl: api.origin,
    toolboxUrl,
    apiKey: FAKE_DAYTONA_API_KEY,
    config: { apiUrl: api.origin, apiKey: FAKE_DAYTONA_API_KEY, target: 'us' },
    sandboxes,
    requests,
    nextResult(result) {
      results.push(result);
    },
    tick,
    reset() {
      sandboxes.clear();
      requests.length = 0;
      results = [];
      counter = 0;
    },
    async close() {
      await Promise.all([api.close(), toolbox.close()]);
    },
  };
}

/** The telemetry endpoint's series (Daytona's metric names; bytes, percent, cores), samples in [from, to]. */
function metricsJson(sb: FakeDaytonaSandbox, query: URLSearchParams) {
  const from = Date.parse(query.get('from') ?? '');
  const to = Date.parse(query.get('to') ?? '');
  const samples = sb.usage.filter((u) => u.atMs >= from && u.atMs <= to);
  const series = (metricName: string, value: (u: FakeDaytonaUsage) => number) => ({
    metricName,
    dataPoints: samples.map((u) => ({ timestamp: new Date(u.atMs).toISOString(), value: value(u) })),
  });
  return {
    from: new Date(from).toISOString(),
    to: new Date(to).toISOString(),
    series: [
      series('daytona.sandbox.cpu.utilization', (u) => u.cpuUsedPct),
      series('daytona.sandbox.cpu.limit', () => sb.cpu),
      series('daytona.sandbox.memory.usage', (u) => u.memUsedMib * 1024 * 1024),
      series('daytona.sandbox.memory.limit', () => sb.memory * 1024 ** 3),
    ],
  };
}

function empty(res: ServerResponse): void {
  res.writeHead(200);
  res.end();
}
