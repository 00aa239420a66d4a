import type { InstrumentationConfig } from '@opentelemetry/instrumentation';
import type { Clock } from './clock';

export interface E2BInstrumentationConfig extends InstrumentationConfig {
  /**
   * Record code, command lines, file paths, stdout and stderr on operation
   * spans. Off unless this is true or OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true.
   * Environment variables are never recorded.
   */
  captureContent?: boolean;
  /**
   * Sample each running sandbox's CPU and memory use (`getMetrics()`) at most
   * once per this many seconds, and write the observed use on its
   * `e2b.sandbox` span (`agentburn.compute.cpu_used_avg`, `.cpu_used_max`,
   * `.memory_used_max_mib`, `.samples`). E2B takes a sample every 5 s. Off
   * (0) unless set here or by AGENTBURN_SANDBOX_SAMPLE_SECONDS. Read once, at
   * construction.
   */
  sampleUsageEverySeconds?: number;
  /** Clock and timers for running intervals; the wall clock by default. Read once, at construction. */
  clock?: Clock;
}
