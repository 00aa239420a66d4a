import { diag } from '@opentelemetry/api';

/** `gpt-tokenizer` encodings we load: the ones OpenAI's current and previous model families use. */
type Encoding = 'o200k_base' | 'cl100k_base';
type CountTokens = (text: string) => number;

const loaded = new Map<Encoding, CountTokens | null>();
const PLAIN_TEXT = { disallowedSpecial: new Set<string>() };

/**
 * The encoding of an OpenAI model family, or undefined for models whose
 * tokenizer is not public (Anthropic's, and everything else): those are
 * bounded from the request's size instead.
 */
export function encodingFor(model: string | undefined): Encoding | undefined {
  if (model === undefined) return undefined;
  const m = model.toLowerCase().replace(/^openai\//, '');
  if (/^(gpt-4o|gpt-4\.1|gpt-4\.5|gpt-5|gpt-oss|o1|o3|o4|chatgpt-|codex|computer-use)/.test(m)) return 'o200k_base';
  if (/^(gpt-4|gpt-3\.5|text-embedding-)/.test(m)) return 'cl100k_base';
  return undefined;
}

/**
 * A token counter for `encoding`, loaded on first use only: the rank tables
 * are megabytes, so nothing is loaded until a budget projects a call of that
 * family. Null when `gpt-tokenizer` cannot be loaded (a bundle without it):
 * the caller falls back to the size bound, and says so once.
 */
export function tokenCounter(encoding: Encoding): CountTokens | null {
  let counter = loaded.get(encoding);
  if (counter !== undefined) return counter;
  try {
    const required = requireFromHere()(`gpt-tokenizer/encoding/${encoding}`) as {
      countTokens?: (text: string, options: object) => number;
    };
    const count = required.countTokens;
    // A prompt may hold a special token's text (`<|endoftext|>`): counted as text, never thrown on.
    counter = typeof count === 'function' ? (text) => count(text, PLAIN_TEXT) : null;
  } catch {
    counter = null;
  }
  if (counter === null) {
    diag.warn(`agentburn budgets: gpt-tokenizer (${encoding}) could not be loaded; OpenAI prompts are bounded by size`);
  } else {
    counter = memoised(counter);
  }
  loaded.set(encoding, counter);
  return counter;
}

/** Texts shorter than this are counted afresh: a lookup would cost about as much. */
const MEMO_MIN_CHARS = 256;
/** Characters of text kept as keys per encoding (about 4 MB of strings at most); the oldest go first. */
const MEMO_MAX_CHARS = 2_000_000;

/**
 * An agent re-sends its whole conversation on every call: each message's
 * count is remembered, so a call tokenizes only what is new since the last.
 */
function memoised(count: CountTokens): CountTokens {
  const memo = new Map<string, number>();
  let memoChars = 0;
  return (text) => {
    if (text.length < MEMO_MIN_CHARS || text.length > MEMO_MAX_CHARS) return count(text);
    const known = memo.get(text);
    if (known !== undefined) return known;
    const tokens = count(text);
    memo.set(text, tokens);
    memoChars += text.length;
    for (const [oldest] of memo) {
      if (memoChars <= MEMO_MAX_CHARS) break;
      memo.delete(oldest);
      memoChars -= oldest.length;
    }
    return tokens;
  };
}

/** A CommonJS `require` in both builds: synchronous, because the budget check runs before the SDK call returns. */
function requireFromHere(): NodeJS.Require {
  const { createRequire } = process.getBuiltinModule('node:module');
  return createRequire(typeof __filename === 'string' ? __filename : import.meta.url);
}
