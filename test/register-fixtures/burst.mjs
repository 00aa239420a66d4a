// A synchronous burst of FIXTURE_SPANS spans (default 50000), ended before any export can finish.
import { trace } from '@opentelemetry/api';

const count = Number(process.env.FIXTURE_SPANS ?? 50_000);
const tracer = trace.getTracer('fixture-burst');
for (let i = 0; i < count; i++) tracer.startSpan('burst').end();
process.stdout.write(`produced ${count}\n`);
