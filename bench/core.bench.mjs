// CostSpanProcessor overhead: CPU time to create and end an LLM span through a
// BasicTracerProvider that exports with a BatchSpanProcessor (no-op
// exporter), with and without the CostSpanProcessor in front of it (each side
// in its own process, alternating), and heap after GC over 1M spans with 10k
// traces open at once. Run with `node --expose-gc bench/core.bench.mjs`
// (after build). BENCH_SPANS: spans per timed round; BENCH_PAIRS: processes
// per side; BENCH_MEMORY=0 skips the memory part.
import { spawnSync } from 'node:child_process';
import { cpus } from 'node:os';
import { setImmediate as tick } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { CostSpanProcessor } from '@agentburn/core';
import { context, SpanKind, trace } from '@opentelemetry/api';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';

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

// Drops every batch, successfully: export cost is the same on both sides and
// not what is measured.
const noopExporter = {
  export(spans, done) {
    exported += spans.length;
    done({ code: 0 });
  },
  shutdown: () => Promise.resolve(),
  forceFlush: () => Promise.resolve(),
};
let exported = 0;

function provider(withCost) {
  const spanProcessors = [new BatchSpanProcessor(noopExporter)];
  if (withCost) spanProcessors.unshift(new CostSpanProcessor());
  return new BasicTracerProvider({ spanProcessors });
}

// Process CPU time, not wall time: on a shared machine waiting for a core
// would count against whichever side happened to be running. A batch ends
// after the event loop turned once, so the BatchSpanProcessor finishes its
// export of the batch (its queue never overflows) inside the timed section.
async function cpuSeconds(tracer, count, offset) {
  const start = process.cpuUsage();
  runSpans(tracer, count, offset);
  await tick();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1e6;
}

const BATCH = 1000;

/** One side in this process: warm-up, then ROUNDS x SPANS spans timed in batches. Returns spans/s. */
async function side(withCost) {
  const tracerProvider = provider(withCost);
  const tracer = tracerProvider.getTracer('bench');
  for (let i = 0; i < SPANS / BATCH; i++) await cpuSeconds(tracer, BATCH, i * BATCH);
  let seconds = 0;
  const batches = (ROUNDS * SPANS) / BATCH;
  for (let i = 0; i < batches; i++) seconds += await cpuSeconds(tracer, BATCH, i * BATCH);
  await tracerProvider.shutdown();
  // Every span and root, warm-up included, went out: nothing was dropped.
  const all = (batches + SPANS / BATCH) * BATCH;
  const expected = all + all / CHILDREN_PER_TRACE;
  if (exported !== expected) throw new Error(`exported ${exported} spans, expected ${expected}`);
  return (batches * BATCH) / seconds;
}

// Each side runs in its own process, so neither shares JIT feedback, inline
// caches or garbage with the other (an application has one provider), and
// the processes alternate, so load changes on a shared machine hit both
// sides alike. The figure per side is the median over PAIRS processes.
const PAIRS = Number(process.env.BENCH_PAIRS ?? 5);

function runSide(withCost) {
  const child = spawnSync(process.execPath, [fileURLToPath(import.meta.url)], {
    env: { ...process.env, BENCH_SIDE: withCost ? 'cost' : 'plain' },
    encoding: 'utf8',
  });
  if (child.status !== 0) throw new Error(`bench side failed: ${child.stderr}`);
  return Number(child.stdout.trim());
}

const median = (values) => [...values].sort((x, y) => x - y)[Math.floor(values.length / 2)];

function throughput() {
  const plain = [];
  const costed = [];
  for (let i = 0; i < PAIRS; i++) {
    plain.push(runSide(false));
    costed.push(runSide(true));
  }
  const base = median(plain);
  const withCost = median(costed);
  return { base, withCost, overhead: base / withCost - 1, plain, costed };
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

if (process.env.BENCH_SIDE) {
  // A child: one side, print spans/s.
  console.log(await side(process.env.BENCH_SIDE === 'cost'));
} else {
  const cpu = cpus()[0]?.model.trim() ?? 'unknown';
  console.log(`machine: ${cpus().length} x ${cpu}, node ${process.version}`);
  const t = throughput();
  console.log(
    `create+end of an LLM span (${ROUNDS} x ${SPANS} spans per process, median of ${PAIRS} processes per side, BatchSpanProcessor + no-op exporter, CPU time): ` +
      `${Math.round(t.base).toLocaleString('en-US')} spans/s without, ` +
      `${Math.round(t.withCost).toLocaleString('en-US')} spans/s with CostSpanProcessor ` +
      `(+${(t.overhead * 100).toFixed(1)}% time per span)`,
  );
  const list = (values) => values.map((v) => Math.round(v).toLocaleString('en-US')).join(', ');
  console.log(`  per process, without: ${list(t.plain)}`);
  console.log(`  per process, with:    ${list(t.costed)}`);
  if (process.env.BENCH_MEMORY === '0') console.log('memory: skipped (BENCH_MEMORY=0)');
  else if (!globalThis.gc) console.log('memory: run with --expose-gc for heap figures');
  else {
    console.log('memory over 1M spans, 10k traces open:');
    for (const s of memory()) {
      console.log(
        `  ${s.spans.toLocaleString('en-US')} spans: heapUsed ${s.heapMiB.toFixed(1)} MiB, open traces ${s.openTraces}`,
      );
    }
  }
}
