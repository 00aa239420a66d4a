// An ESM consumer of the built package: import resolves the "import" export.
import { createRequire } from 'node:module';
import * as core from '@agentburn/core';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';

const exported = [];
const exporter = {
  export(spans, done) {
    exported.push(...spans);
    done({ code: 0 });
  },
  shutdown: async () => {},
};
const provider = new BasicTracerProvider({
  spanProcessors: [new core.CostSpanProcessor(), new SimpleSpanProcessor(exporter)],
});
const interval = provider.getTracer('consumer').startSpan(core.SPAN_E2B_SANDBOX);
// Registered through the CommonJS copy, closed by the ESM copy's processor:
// the open-interval registry is one per process, whichever format loaded it.
const cjs = createRequire(import.meta.url)('@agentburn/core');
cjs.addOpenInterval('sbx-consumer', () => {
  interval.setAttributes({
    [core.ATTR_E2B_SANDBOX_CPU_COUNT]: 2,
    [core.ATTR_E2B_SANDBOX_MEMORY_MIB]: 512,
    [core.ATTR_E2B_SANDBOX_BILLED_SECONDS]: 100,
  });
  interval.end();
});
await provider.shutdown();
process.stdout.write(
  JSON.stringify({
    format: typeof module === 'undefined' ? 'esm' : 'cjs',
    distinctCopies: cjs.CostSpanProcessor !== core.CostSpanProcessor,
    cost: exported[0]?.attributes[core.ATTR_COST_USD],
    status: exported[0]?.attributes[core.ATTR_COST_STATUS],
    withAgent: typeof core.withAgent,
  }),
);
