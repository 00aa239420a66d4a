import { isObject, type JsonObject, type MessageFields } from './messages';

/**
 * Rebuilds what a span needs from the events of a streamed Message, as the
 * caller reads them. `message_start` carries the id, the model and the input
 * and cache usage (with a placeholder output count); `message_delta` carries
 * the stop reason and the cumulative output count and, in newer API versions,
 * final input and cache figures that replace the earlier ones.
 */
export class MessageAccumulator {
  readonly message: MessageFields & { usage: Record<string, unknown> } = { usage: {} };
  /** True once `message_delta` arrived: the output count is final, not a placeholder. */
  sawDelta = false;
  sawStop = false;
  /** The content blocks, kept only when content is captured. */
  readonly content: JsonObject[] | undefined;
  private readonly partialJson = new Map<number, string>();

  constructor(captureContent: boolean) {
    this.content = captureContent ? [] : undefined;
  }

  add(event: unknown): void {
    if (!isObject(event)) return;
    switch (event.type) {
      case 'message_start': {
        const message = isObject(event.message) ? event.message : {};
        this.message.id = message.id;
        this.message.model = message.model;
        if (isObject(message.usage)) Object.assign(this.message.usage, message.usage);
        break;
      }
      case 'message_delta': {
        this.sawDelta = true;
        if (isObject(event.delta) && event.delta.stop_reason != null)
          this.message.stop_reason = event.delta.stop_reason;
        const usage = isObject(event.usage) ? event.usage : {};
        // Present figures replace earlier ones; null means "not applicable here".
        for (const [key, value] of Object.entries(usage)) if (value != null) this.message.usage[key] = value;
        break;
      }
      case 'message_stop':
        this.sawStop = true;
        break;
      case 'content_block_start':
        if (this.content && typeof event.index === 'number' && isObject(event.content_block)) {
          this.content[event.index] = { ...event.content_block };
        }
        break;
      case 'content_block_delta':
        if (this.content && typeof event.index === 'number') this.addDelta(event.index, event.delta);
        break;
    }
  }

  /** The Message as far as it was read; the output count only once it is final. */
  snapshot(): MessageFields {
    if (this.sawDelta) return this.message;
    const { output_tokens: _placeholder, ...usage } = this.message.usage;
    return { ...this.message, usage };
  }

  /** The content blocks, with streamed tool input parsed when complete. */
  blocks(): JsonObject[] {
    const blocks = (this.content ?? []).filter(isObject);
    for (const [index, json] of this.partialJson) {
      const block = this.content?.[index];
      if (!block) continue;
      try {
        block.input = JSON.parse(json);
      } catch {
        block.input = json;
      }
    }
    return blocks;
  }

  private addDelta(index: number, delta: unknown): void {
    const block = this.content?.[index];
    if (!block || !isObject(delta)) return;
    if (delta.type === 'text_delta') block.text = `${block.text ?? ''}${delta.text ?? ''}`;
    else if (delta.type === 'thinking_delta') block.thinking = `${block.thinking ?? ''}${delta.thinking ?? ''}`;
    else if (delta.type === 'input_json_delta') {
      this.partialJson.set(index, `${this.partialJson.get(index) ?? ''}${delta.partial_json ?? ''}`);
    }
  }
}
