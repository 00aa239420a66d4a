import { E2B_TEMPLATE_SIZES } from '@agentburn/core';

/**
 * Allocated size of a sandbox, which is what E2B bills: vCPUs and RAM.
 * `getInfo()` reports it (`cpuCount`, `memoryMB`); when that fails the
 * defaults of E2B's public templates stand in.
 */
export interface SandboxSize {
  cpuCount: number;
  memoryMib: number;
}

/** The default size of an E2B public template (`base`, `code-interpreter-v1`), by name. */
export function templateSize(template: string | undefined): SandboxSize | undefined {
  if (template === undefined || !Object.hasOwn(E2B_TEMPLATE_SIZES, template)) return undefined;
  return E2B_TEMPLATE_SIZES[template];
}

/** What `getInfo()` tells us, read defensively (any field may be missing). */
export interface SandboxFacts {
  size?: SandboxSize;
  /** The template as named by its alias when it has one, else its id. */
  template?: string;
  /** Expiry, ms since the epoch. */
  endAtMs?: number;
  onTimeout?: 'kill' | 'pause';
  autoResume?: boolean;
}

export function factsFromInfo(info: unknown): SandboxFacts {
  const facts: SandboxFacts = {};
  if (!info || typeof info !== 'object') return facts;
  const i = info as {
    cpuCount?: unknown;
    memoryMB?: unknown;
    name?: unknown;
    templateId?: unknown;
    endAt?: unknown;
    lifecycle?: { onTimeout?: unknown; autoResume?: unknown };
  };
  if (positive(i.cpuCount) && positive(i.memoryMB)) facts.size = { cpuCount: i.cpuCount, memoryMib: i.memoryMB };
  const template = typeof i.name === 'string' && i.name ? i.name : i.templateId;
  if (typeof template === 'string' && template) facts.template = template;
  const endAt = i.endAt instanceof Date ? i.endAt.getTime() : typeof i.endAt === 'string' ? Date.parse(i.endAt) : NaN;
  if (Number.isFinite(endAt)) facts.endAtMs = endAt;
  const onTimeout = i.lifecycle?.onTimeout;
  if (onTimeout === 'kill' || onTimeout === 'pause') facts.onTimeout = onTimeout;
  const autoResume = i.lifecycle?.autoResume;
  if (typeof autoResume === 'boolean') facts.autoResume = autoResume;
  return facts;
}

function positive(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0;
}
