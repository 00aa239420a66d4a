// CostSpanProcessor overhead: spans/s of create + end of an LLM span through a
// BasicTracerProvider with and without the processor (same run, interleaved
// rounds after a warm-up), and heap after GC over 1M spans with 10k traces
// open at once. Run with `node --expose-gc bench/core.bench.mjs` (after build).
import { cpus } from 'node:os';
import { CostSpanProcessor } from '@agentburn/core';
import { context, SpanKind, trace } from '@opentelemetry/api';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';

const SPANS = Number(process.env.BENCH_SPANS ?? 100_000);
const ROUNDS = 5;
const CHILDREN_PER_TRACE = 10;

const request = {
  'gen_ai.operation.name': 'chat',
  'gen_ai.provider.name': 'openai',
  'gen_ai.request.model': 'gpt-4o',
  'server.address': 'api.openai.com',
  'server.port': 443,
};

function runSpans(tracer, count, offset) {
  let root;
  let parent;
  for (let i = 0; i < count; i++) {
    if (i % CHILDREN_PER_TRACE === 0) {
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

// Process CPU time, not wall time: on a shared machine waiting for a core
// would count against whichever side happened to be running.
function cpuSeconds(tracer, count, offset) {
  const start = process.cpuUsage();
  runSpans(tracer, count, offset);
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1e6;
}

function throughput() {
  const plain = new BasicTracerProvider().getTracer('bench');
  const costed = new BasicTracerProvider({ spanProcessors: [new CostSpanProcessor()] }).getTracer('bench');
  // warm-up: JIT both paths
  cpuSeconds(plain, SPANS, 0);
  cpuSeconds(costed, SPANS, 0);
  // Short alternating batches, so load changes hit both sides alike.
  const batch = SPANS / 10;
  let a = 0;
  let b = 0;
  for (let round = 0; round < ROUNDS * 10; round++) {
    a += cpuSeconds(plain, batch, round * batch);
    b += cpuSeconds(costed, batch, round * batch);
  }
  const spans = batch * ROUNDS * 10;
  return { base: spans / a, withCost: spans / b, overhead: b / a - 1 };
}

function heapMiB() {
  globalThis.gc?.();
  globalThis.gc?.();
  return process.memoryUsage().heapUsed / 1024 / 1024;
}

function memory() {
  const TOTAL = 1_000_000;
  const OPEN = 10_000;
  const processor = new CostSpanProcessor();
  const tracer = new BasicTracerProvider({ spanProcessors: [processor] }).getTracer('bench');
  const roots = new Array(OPEN);
  const parents = new Array(OPEN);
  const samples = [];
  for (let i = 0; i < TOTAL; i++) {
    const slot = i % OPEN;
    // every 5 rounds a slot's trace ends and a new one opens: 10k traces stay open
    if (i % (OPEN * 5) < OPEN) {
      roots[slot]?.end();
      roots[slot] = tracer.startSpan('agent run');
      parents[slot] = trace.setSpan(context.active(), roots[slot]);
    }
    const span = tracer.startSpan('chat gpt-4o', { kind: SpanKind.CLIENT, attributes: request }, parents[slot]);
    span.setAttributes({
      'gen_ai.response.id': `chatcmpl-${i}`,
      'gen_ai.usage.input_tokens': 1200,
      'gen_ai.usage.output_tokens': 300,
    });
    span.end();
    if ((i + 1) % 200_000 === 0) samples.push({ spans: i + 1, heapMiB: heapMiB(), openTraces: processor.openTraces });
  }
  return samples;
}

const cpu = cpus()[0]?.model.trim() ?? 'unknown';
console.log(`machine: ${cpus().length} x ${cpu}, node ${process.version}`);
const t = throughput();
console.log(
  `create+end of an LLM span (${ROUNDS} x ${SPANS} spans per side, CPU time): ` +
    `${Math.round(t.base).toLocaleString('en-US')} spans/s without, ` +
    `${Math.round(t.withCost).toLocaleString('en-US')} spans/s with CostSpanProcessor ` +
    `(+${(t.overhead * 100).toFixed(1)}% time per span)`,
);
if (!globalThis.gc) console.log('memory: run with --expose-gc for heap figures');
else {
  console.log('memory over 1M spans, 10k traces open:');
  for (const s of memory()) {
    console.log(
      `  ${s.spans.toLocaleString('en-US')} spans: heapUsed ${s.heapMiB.toFixed(1)} MiB, open traces ${s.openTraces}`,
    );
  }
}
