import type { ComputeSize } from '@agentburn/core';

/** What we read of the SDK's `Sandbox` object (its fields mirror the API's SandboxDto). */
export interface SandboxLike {
  id: string;
  state?: string;
  cpu?: number;
  /** GiB. */
  memory?: number;
  /** GiB. */
  disk?: number;
  /** Minutes of inactivity before Daytona stops the sandbox; 0 = never. */
  autoStopInterval?: number;
  process?: object;
  fs?: object;
}

export function isSandbox(value: unknown): value is SandboxLike {
  return typeof (value as SandboxLike | undefined)?.id === 'string';
}

/** Daytona sizes memory and disk in GiB. */
export function sizeOf(sandbox: SandboxLike): ComputeSize {
  return {
    vcpu: finite(sandbox.cpu),
    memoryMib: sandbox.memory === undefined ? undefined : finite(sandbox.memory * 1024),
    diskGib: finite(sandbox.disk),
  };
}

function finite(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
}

/** Daytona states in which the sandbox runs (and bills), or is about to, or still is while it stops. */
const RUNNING = new Set([
  'started',
  'starting',
  'restoring',
  'resizing',
  'snapshotting',
  'forking',
  'stopping',
  'pausing',
]);
/** States in which nothing runs. */
const NOT_RUNNING = new Set(['stopped', 'paused', 'archived', 'archiving', 'destroyed', 'destroying']);

/** Whether a sandbox in `state` is running: `unknown` for error states and states this version does not know. */
export function runningState(state: unknown): 'yes' | 'no' | 'unknown' {
  if (typeof state !== 'string') return 'unknown';
  if (RUNNING.has(state)) return 'yes';
  return NOT_RUNNING.has(state) ? 'no' : 'unknown';
}

/** The API answered 404: the sandbox no longer exists. */
export function isGone(error: unknown): boolean {
  const e = error as { statusCode?: unknown; status?: unknown; response?: { status?: unknown } } | null | undefined;
  return e?.statusCode === 404 || e?.status === 404 || e?.response?.status === 404;
}
