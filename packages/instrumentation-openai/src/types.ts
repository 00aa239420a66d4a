import type { InstrumentationConfig } from '@opentelemetry/instrumentation';

export interface OpenAIInstrumentationConfig extends InstrumentationConfig {
  /**
   * Record prompts and completions (`gen_ai.input.messages`,
   * `gen_ai.output.messages`). Default: the
   * `OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT` environment switch, off.
   */
  captureContent?: boolean;
  /**
   * Ask streamed chat completions for their usage chunk
   * (`stream_options.include_usage`) when the caller did not, and hide that
   * chunk from the caller. Turn off for servers that reject the option.
   * Default: true.
   */
  injectStreamUsage?: boolean;
  /**
   * End the span of a stream (or response) the caller never reads after this
   * many milliseconds. The stream itself stays usable. Default: 5 minutes.
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
