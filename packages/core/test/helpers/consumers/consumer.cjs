// A CommonJS consumer of the built package: require() resolves the "require" export.
const core = require('@agentburn/core');
const { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } = require('@opentelemetry/sdk-trace-base');

const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({
  spanProcessors: [new core.CostSpanProcessor(), new SimpleSpanProcessor(exporter)],
});
const span = provider.getTracer('consumer').startSpan('chat gpt-4o');
span.setAttributes({
  [core.ATTR_GEN_AI_OPERATION_NAME]: 'chat',
  [core.ATTR_GEN_AI_PROVIDER_NAME]: 'openai',
  [core.ATTR_GEN_AI_REQUEST_MODEL]: 'gpt-4o',
  [core.ATTR_GEN_AI_USAGE_INPUT_TOKENS]: 1000,
  [core.ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: 200,
});
span.end();
const attributes = exporter.getFinishedSpans()[0].attributes;
process.stdout.write(
  JSON.stringify({
    format: typeof module === 'object' ? 'cjs' : 'esm',
    cost: attributes[core.ATTR_COST_USD],
    status: attributes[core.ATTR_COST_STATUS],
    withAgent: typeof core.withAgent,
    wrapWithCost: typeof core.wrapWithCost,
  }),
);
