import type { InstrumentationConfig } from '@opentelemetry/instrumentation';
import type { Clock } from './clock';

export interface E2BInstrumentationConfig extends InstrumentationConfig {
  /**
   * Record code, command lines, file paths, stdout and stderr on operation
   * spans. Off unless this is true or OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true.
   * Environment variables are never recorded.
   */
  captureContent?: boolean;
  /** Clock and timers for running intervals; the wall clock by default. Read once, at construction. */
  clock?: Clock;
}
