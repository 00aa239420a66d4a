import type { Attributes, AttributeValue } from '@opentelemetry/api';
import type { WritableSpanLike } from './span-shape';

/**
 * The attributes the processor adds to one span, in the order they are to
 * be written (an SDK attribute count limit keeps the earliest). One batch
 * serves every span the engine finishes, so pricing a span builds no
 * attribute object, and the SDK gets one `setAttribute` per key instead of
 * an object to walk.
 */
export class AttributeBatch {
  private readonly keys: string[] = [];
  private readonly values: AttributeValue[] = [];
  private count = 0;

  get length(): number {
    return this.count;
  }

  set(key: string, value: AttributeValue): void {
    this.keys[this.count] = key;
    this.values[this.count] = value;
    this.count++;
  }

  /** The value batched for `key`, if any. */
  get(key: string): AttributeValue | undefined {
    for (let i = 0; i < this.count; i++) if (this.keys[i] === key) return this.values[i];
    return undefined;
  }

  clear(): void {
    this.count = 0;
  }

  /** Adds the batch to a span that is still writable. */
  writeTo(span: WritableSpanLike): void {
    if (typeof span.setAttribute !== 'function') {
      span.setAttributes(this.toAttributes());
      return;
    }
    for (let i = 0; i < this.count; i++) span.setAttribute(this.keys[i] as string, this.values[i] as AttributeValue);
  }

  toAttributes(): Attributes {
    const attributes: Attributes = {};
    for (let i = 0; i < this.count; i++) attributes[this.keys[i] as string] = this.values[i];
    return attributes;
  }
}
