import { diag } from '@opentelemetry/api';

const MAX_CAUSES = 256;

/**
 * Warns once per distinct cause, so a malformed attribute repeated on every
 * span produces one message, not a flood. The set of causes is bounded; past
 * the bound, new causes are dropped silently.
 */
export class DiagOnce {
  private readonly seen = new Set<string>();

  warn(cause: string): void {
    if (this.seen.has(cause) || this.seen.size >= MAX_CAUSES) return;
    this.seen.add(cause);
    diag.warn(`@agentburn/core: ${cause}`);
  }
}
