import type { Clock } from '@agentburn/core';
import type { InstrumentationConfig } from '@opentelemetry/instrumentation';

export interface DaytonaInstrumentationConfig extends InstrumentationConfig {
  /**
   * Record command lines and code on operation spans. Off unless this is
   * true or OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true.
   * Environment variables are never recorded.
   */
  captureContent?: boolean;
  /**
   * Sample each running sandbox's CPU and memory use at most once per this
   * many seconds, from Daytona's sandbox telemetry (`Sandbox.getMetrics()`, a
   * read through the API that does not count as activity, so it never moves
   * the auto-stop), and write the observed use on its `daytona.sandbox` span
   * (`agentburn.compute.cpu_used_avg`, `.cpu_used_max`,
   * `.memory_used_max_mib`, `.samples`). Daytona records samples only for
   * organizations with sandbox telemetry on, and the SDK reads them from
   * 0.199.0 on. Off (0) unless set here or by
   * AGENTBURN_SANDBOX_SAMPLE_SECONDS. Read once, at construction.
   */
  sampleUsageEverySeconds?: number;
  /** Clock and timers for running intervals; the wall clock by default. Read once, at construction. */
  clock?: Clock;
}
