import type { Clock } from '@agentburn/core';
import type { InstrumentationConfig } from '@opentelemetry/instrumentation';

export interface VercelSandboxInstrumentationConfig extends InstrumentationConfig {
  /**
   * Record command lines and code on operation spans. Off unless this is
   * true or OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true.
   * Environment variables are never recorded.
   */
  captureContent?: boolean;
  /** Clock and timers for running intervals; the wall clock by default. Read once, at construction. */
  clock?: Clock;
}
