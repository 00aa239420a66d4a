import type { Attributes } from '@opentelemetry/api';
import type { WritableSpanLike } from './span-shape';

/**
 * The fields of `@opentelemetry/sdk-trace-base` 2.x `SpanImpl` that its own
 * `setAttribute` reads and writes. Not public API: every one is checked
 * before use, and any other shape (1.x, 3.x, another SDK, a wrapper) takes
 * the public `setAttributes`.
 */
interface SdkSpanFields {
  attributes?: unknown;
  _ended?: unknown;
  _attributesCount?: unknown;
  _attributeValueLengthLimit?: unknown;
  _spanLimits?: { attributeCountLimit?: unknown } | null;
}

const objectPrototype = Object.prototype;
const hasOwn = Object.prototype.hasOwnProperty;

/**
 * Adds the processor's attributes to a span in `onEnding`.
 *
 * The SDK's `setAttribute` validates each key and value, checks the span is
 * not ended, enforces the attribute count limit and truncates long strings;
 * per priced span that is 8 calls and most of the processor's write cost.
 * Our keys are non-empty constants and our values finite numbers, booleans
 * and short strings, so where the span is a 2.x `SpanImpl` with room under
 * its count limit and no string over its length limit, those checks cannot
 * change the outcome and the same result is stored directly: each value
 * under its key, the attribute count raised for new keys. Anything else (a
 * count limit that would be reached, a string that would be truncated, an
 * unknown span shape, a value that is not a number, boolean or string) goes
 * through `setAttributes`, whose rules then apply.
 */
export function writeAttributes(span: WritableSpanLike, added: Attributes): void {
  if (!writeDirect(span as unknown as SdkSpanFields, added)) span.setAttributes(added);
}

function writeDirect(span: SdkSpanFields, added: Attributes): boolean {
  const target = span.attributes;
  const count = span._attributesCount;
  const lengthLimit = span._attributeValueLengthLimit;
  const limits = span._spanLimits;
  if (
    span._ended !== false ||
    typeof count !== 'number' ||
    typeof lengthLimit !== 'number' ||
    !(lengthLimit > 0) ||
    typeof limits !== 'object' ||
    limits === null ||
    typeof target !== 'object' ||
    target === null ||
    Object.getPrototypeOf(target) !== objectPrototype
  ) {
    return false;
  }
  const countLimit = limits.attributeCountLimit;
  if (countLimit !== undefined && typeof countLimit !== 'number') return false;
  // Every value must be one setAttribute stores unchanged, and all must fit.
  let adding = 0;
  for (const key in added) {
    const value = added[key];
    if (typeof value === 'string') {
      if (value.length > lengthLimit) return false;
    } else if (typeof value !== 'number' && typeof value !== 'boolean') {
      return false;
    }
    adding++;
  }
  if (countLimit !== undefined && count + adding > countLimit) return false;
  const record = target as Record<string, unknown>;
  let fresh = 0;
  for (const key in added) {
    if (!hasOwn.call(record, key)) fresh++;
    record[key] = added[key];
  }
  span._attributesCount = count + fresh;
  return true;
}
