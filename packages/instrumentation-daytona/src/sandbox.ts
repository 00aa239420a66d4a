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
