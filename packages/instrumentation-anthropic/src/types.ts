import type { InstrumentationConfig } from '@opentelemetry/instrumentation';

/**
 * What to do when the SDK's own OpenTelemetry tracing is on (recent SDK
 * versions trace every API call unless told not to):
 * - `defer` (default): emit no span of ours for that call; the SDK's
 *   `anthropic.messages.create` span is the one span, and the CostSpanProcessor
 *   prices it. Our metrics are still recorded.
 * - `disable`: switch the SDK's tracing off on each client that makes a
 *   Messages call, and emit our `chat {model}` span instead.
 */
export type NativeTracingMode = 'defer' | 'disable';

export interface AnthropicInstrumentationConfig extends InstrumentationConfig {
  /**
   * Record prompts, system instructions and completions on spans. Overrides
   * `OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT`; off by default.
   */
  captureContent?: boolean;
  /** See {@link NativeTracingMode}. Default `defer`. */
  nativeTracing?: NativeTracingMode;
  /**
   * End the span of a call whose response nobody reads (a stream never
   * iterated, a promise never awaited) after this many milliseconds. The
   * response itself is left alone. Default five minutes; 0 disables the bound.
   */
  unreadStreamTimeoutMs?: number;
  /**
   * End the span of a stream whose server sends nothing for this many
   * milliseconds while the caller waits for the next chunk (the caller may
   * have given up on it). The pending read is left alone. Default: 10
   * minutes; 0 turns the bound off.
   */
  stalledStreamTimeoutMs?: number;
}
