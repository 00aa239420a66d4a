import type { InstrumentationConfig } from '@opentelemetry/instrumentation';

export interface BedrockInstrumentationConfig extends InstrumentationConfig {
  /**
   * Record prompts, system instructions and completions of Converse and
   * InvokeModel chat calls (Anthropic, Nova, Meta and Titan bodies) on
   * spans. Overrides `OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT`;
   * off by default.
   */
  captureContent?: boolean;
  /**
   * End the span of a response stream nobody reads (never iterated, or left
   * idle between events) after this many milliseconds. The stream itself is
   * left alone. Default five minutes; 0 disables the bound.
   */
  unreadStreamTimeoutMs?: number;
}
