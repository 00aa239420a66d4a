import type { InstrumentationConfig } from '@opentelemetry/instrumentation';

export interface GoogleGenAIInstrumentationConfig extends InstrumentationConfig {
  /**
   * Record prompts, system instructions and completions on spans. Overrides
   * `OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT`; off by default.
   */
  captureContent?: boolean;
  /**
   * End the span of a stream nobody reads (never iterated, or left idle
   * between chunks) after this many milliseconds. The stream itself is left
   * alone. Default five minutes; 0 disables the bound.
   */
  unreadStreamTimeoutMs?: number;
}
