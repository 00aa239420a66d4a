import { ATTR_COMPUTE_ACTIVE_CPU_SECONDS, type ComputeSize } from '@agentburn/core';
import type { Attributes } from '@opentelemetry/api';

/** What we read of the SDK's `Sandbox`: its current session, the VM that runs and bills. */
export interface SandboxLike {
  session?: SessionLike;
}

/** A session, as the SDK's `Session` getters or the plain session `stop()` returns expose it. */
export interface SessionLike {
  sessionId?: string;
  id?: string;
  vcpus?: number;
  /** MB; Vercel allocates 2048 per vCPU and calls it 2 GB. */
  memory?: number;
  status?: string;
  /** Lifetime in ms from the session's start. */
  timeout?: number;
  /** Only reported once the VM is stopped. */
  activeCpuDurationMs?: number;
}

export function sessionOf(sandbox: unknown): SessionLike | undefined {
  const session = (sandbox as SandboxLike | undefined)?.session;
  return session && typeof session === 'object' ? session : undefined;
}

export function sessionId(session: SessionLike | undefined): string | undefined {
  const id = session?.sessionId ?? session?.id;
  return typeof id === 'string' ? id : undefined;
}

export function sizeOf(session: SessionLike): ComputeSize {
  return { vcpu: finite(session.vcpus), memoryMib: finite(session.memory) };
}

/**
 * What Vercel reported at the end of a session: its active CPU time, the
 * figure Vercel bills CPU by (its usage report's "Sandbox Active CPU").
 */
export function endAttributes(session: SessionLike | undefined): Attributes | undefined {
  const cpuMs = finite(session?.activeCpuDurationMs);
  return cpuMs === undefined ? undefined : { [ATTR_COMPUTE_ACTIVE_CPU_SECONDS]: cpuMs / 1000 };
}

function finite(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
}
