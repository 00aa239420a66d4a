import { context } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';

export interface ReconcileOptions {
  /** E2B's API; `E2B_API_URL`, else `https://api.${E2B_DOMAIN ?? 'e2b.app'}`. */
  apiUrl?: string;
  /** `E2B_API_KEY` by default. */
  apiKey?: string;
  /** What this process recorded, e.g. `instrumentation.recordedSeconds(id)`. */
  recordedSeconds?: number;
  /** Ends a still-running interval; `Date.now()` by default. */
  now?: () => number;
  signal?: AbortSignal;
}

export interface ReconcileReport {
  sandboxId: string;
  /** Running seconds E2B's lifecycle events show (created/resumed until paused/killed). */
  eventSeconds: number;
  recordedSeconds?: number;
  /** `recordedSeconds - eventSeconds`: positive when we recorded more than the events show. */
  differenceSeconds?: number;
  /** The events end with the sandbox running (counted up to `now`). */
  running: boolean;
  events: number;
}

interface LifecycleEvent {
  type?: unknown;
  timestamp?: unknown;
}

const PAGE = 100;
const MAX_PAGES = 20;
const STARTS = new Set(['sandbox.lifecycle.created', 'sandbox.lifecycle.resumed']);
const STOPS = new Set(['sandbox.lifecycle.paused', 'sandbox.lifecycle.killed']);

/**
 * Reads a sandbox's lifecycle events from E2B (`GET /events/sandboxes/{id}`,
 * kept 7 days by E2B) and reports the running seconds they show next to the
 * seconds recorded here. Event timestamps have whole-second resolution.
 * The requests are not traced.
 */
export async function reconcileSandbox(sandboxId: string, options: ReconcileOptions = {}): Promise<ReconcileReport> {
  const env = typeof process === 'undefined' ? {} : process.env;
  const apiUrl = options.apiUrl ?? env.E2B_API_URL ?? `https://api.${env.E2B_DOMAIN || 'e2b.app'}`;
  const apiKey = options.apiKey ?? env.E2B_API_KEY;
  if (!apiKey) throw new Error('reconcileSandbox needs an E2B API key (apiKey option or E2B_API_KEY)');

  const events: LifecycleEvent[] = [];
  for (let page = 0; page < MAX_PAGES; page++) {
    const url = `${apiUrl}/events/sandboxes/${encodeURIComponent(sandboxId)}?limit=${PAGE}&offset=${page * PAGE}&orderAsc=true`;
    const response = await context.with(suppressTracing(context.active()), () =>
      fetch(url, { headers: { 'X-API-Key': apiKey }, signal: options.signal }),
    );
    if (!response.ok) throw new Error(`E2B lifecycle events for ${sandboxId}: HTTP ${response.status}`);
    const batch = (await response.json()) as unknown;
    if (!Array.isArray(batch)) break;
    events.push(...(batch as LifecycleEvent[]));
    if (batch.length < PAGE) break;
  }

  const timed = events
    .map((e) => ({ type: String(e.type), at: typeof e.timestamp === 'string' ? Date.parse(e.timestamp) : Number.NaN }))
    .filter((e) => Number.isFinite(e.at))
    .sort((a, b) => a.at - b.at);
  let runningSince: number | undefined;
  let runningMs = 0;
  for (const event of timed) {
    if (STARTS.has(event.type) && runningSince === undefined) runningSince = event.at;
    if (STOPS.has(event.type) && runningSince !== undefined) {
      runningMs += event.at - runningSince;
      runningSince = undefined;
    }
  }
  const running = runningSince !== undefined;
  if (runningSince !== undefined) runningMs += Math.max(0, (options.now ?? Date.now)() - runningSince);

  const eventSeconds = Math.ceil(runningMs / 1000);
  const report: ReconcileReport = { sandboxId, eventSeconds, running, events: events.length };
  if (options.recordedSeconds !== undefined) {
    report.recordedSeconds = options.recordedSeconds;
    report.differenceSeconds = options.recordedSeconds - eventSeconds;
  }
  return report;
}
