import { diag } from '@opentelemetry/api';

/** What the budget has said on the diag logger, by cause: each is said once per process. */
const said = new Set<string>();

/** Says `message()` on the diag logger unless `cause` was already said. */
export function sayOnce(cause: string, message: () => string): void {
  if (said.has(cause)) return;
  said.add(cause);
  diag.warn(message());
}

/** Distinct failures said, at most; past them, one line says the rest go unsaid. */
const MAX_FAILURES_SAID = 8;
let failuresSaid = 0;

/**
 * Says that `what` failed with `error`, once per cause (what failed, and the
 * error's text), as the other losses are said.
 */
export function sayFailure(what: string, error: unknown): void {
  const text = describeError(error);
  const cause = `failed:${what}:${text}`;
  if (said.has(cause)) return;
  if (failuresSaid >= MAX_FAILURES_SAID) {
    sayOnce('failed:more', () => 'agentburn budget: more failures of other causes are not reported');
    return;
  }
  failuresSaid++;
  sayOnce(cause, () => `agentburn budget: ${what}: ${text} (later ones of this cause are not reported again)`);
}

function describeError(error: unknown): string {
  try {
    return String(error);
  } catch {
    return 'an unprintable error';
  }
}
