// Ends FIXTURE_SPANS spans (default 10), then calls process.exit() before the batch processor's delay.
import { trace } from '@opentelemetry/api';

const count = Number(process.env.FIXTURE_SPANS ?? 10);
const tracer = trace.getTracer('fixture-exit');
for (let i = 0; i < count; i++) tracer.startSpan('work').end();
process.exit(0);
