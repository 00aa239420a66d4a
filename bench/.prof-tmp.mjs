import { setImmediate as tick } from 'node:timers/promises';
import { CostSpanProcessor } from '@agentburn/core';
import { context, SpanKind, trace } from '@opentelemetry/api';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';

const withCost = process.argv[2] === 'cost';
const request = {
  'gen_ai.operation.name': 'chat',
  'gen_ai.provider.name': 'openai',
  'gen_ai.request.model': 'gpt-4o',
  'server.address': 'api.openai.com',
  'server.port': 443,
};
const exp = {
  export(s, d) {
    d({ code: 0 });
  },
  shutdown: () => Promise.resolve(),
};
const sp = [new BatchSpanProcessor(exp)];
if (withCost) sp.unshift(new CostSpanProcessor());
const tracer = new BasicTracerProvider({ spanProcessors: sp }).getTracer('bench');
function run(count, offset) {
  let root, parent;
  for (let i = 0; i < count; i++) {
    if (i % 10 === 0) {
      root?.end();
      root = tracer.startSpan('agent run');
      parent = trace.setSpan(context.active(), root);
    }
    const span = tracer.startSpan('chat gpt-4o', { kind: SpanKind.CLIENT, attributes: request }, parent);
    span.setAttributes({
      'gen_ai.response.model': 'gpt-4o-2024-08-06',
      'gen_ai.response.id': `chatcmpl-${offset + i}`,
      'gen_ai.response.finish_reasons': ['stop'],
      'gen_ai.usage.input_tokens': 1200,
      'gen_ai.usage.output_tokens': 300,
      'gen_ai.usage.cache_read.input_tokens': 256,
    });
    span.end();
  }
  root?.end();
}
for (let i = 0; i < 1500; i++) {
  run(1000, i * 1000);
  await tick();
}
