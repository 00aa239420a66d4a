// CostSpanProcessor overhead: CPU time to create and end an LLM span through a
// BasicTracerProvider that exports with a BatchSpanProcessor (no-op
// exporter), with and without the CostSpanProcessor in front of it (each side
// in its own process, alternating), and heap after GC over 1M spans with 10k
// traces open at once. Run with `node --expose-gc bench/core.bench.mjs`
// (after build). BENCH_SPANS: spans per timed round; BENCH_PAIRS: processes
// per side; BENCH_MEMORY=0 skips the memory part. Two kinds of span are
// measured: an LLM chat span (priced) and an HTTP client span (no cost, the
// processor only looks at it); each process also reports the bytes its timed
// spans allocated.
import { spawnSync } from 'node:child_process';
import { cpus } from 'node:os';
import { setImmediate as tick } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { CostSpanProcessor } from '@agentburn/core';
import { context, SpanKind, trace } from '@opentelemetry/api';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { allocationMeter } from './lib/measure.mjs';

const SPANS = Number(process.env.BENCH_SPANS ?? 100_000);
const ROUNDS = 5;
const CHILDREN_PER_TRACE = 10;
/** `llm` (a priced chat span) or `http` (a span without cost); set per child process. */
const SPAN_KIND = process.env.BENCH_SPAN_KIND ?? 'llm';

const request = {
  'gen_ai.operation.name': 'chat',
  'gen_ai.provider.name': 'openai',
  'gen_ai.request.model': 'gpt-4o',
  'server.address': 'api.openai.com',
  'server.port': 443,
};

// A span that carries no cost: what most spans of an application are.
const httpRequest = {
  'http.request.method': 'GET',
  'server.address': 'api.example.com',
  'server.port': 443,
  'url.full': 'https://api.example.com/users',
};

function runSpans(tracer, count, offset) {
  let root;
  let parent;
  const http = SPAN_KIND === 'http';
  for (let i = 0; i < count; i++) {
    if (i % CHILDREN_PER_TRACE === 0) {
      root?.end();
      root = tracer.startSpan('agent run');
      parent = trace.setSpan(context.active(), root);
    }
    if (http) {
      const span = tracer.startSpan('GET', { kind: SpanKind.CLIENT, attributes: httpRequest }, parent);
      span.setAttributes({ 'http.response.status_code': 200, 'http.response.body.size': 512 + (i % 7) });
      span.end();
      continue;
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

/** One side in this process: warm-up, then ROUNDS x SPANS spans timed in batches. Returns spans/s and bytes/span. */
async function side(withCost) {
  const tracerProvider = provider(withCost);
  const tracer = tracerProvider.getTracer('bench');
  for (let i = 0; i < SPANS / BATCH; i++) await cpuSeconds(tracer, BATCH, i * BATCH);
  let seconds = 0;
  const batches = (ROUNDS * SPANS) / BATCH;
  const allocation = await allocationMeter();
  allocation.start();
  for (let i = 0; i < batches; i++) seconds += await cpuSeconds(tracer, BATCH, i * BATCH);
  const bytesPerSpan = allocation.stop() / (batches * BATCH);
  await tracerProvider.shutdown();
  // Every span and root, warm-up included, went out: nothing was dropped.
  const all = (batches + SPANS / BATCH) * BATCH;
  const expected = all + all / CHILDREN_PER_TRACE;
  if (exported !== expected) throw new Error(`exported ${exported} spans, expected ${expected}`);
  return { spansPerSecond: (batches * BATCH) / seconds, bytesPerSpan };
}

// Each side runs in its own process, so neither shares JIT feedback, inline
// caches or garbage with the other (an application has one provider), and
// the processes alternate, so load changes on a shared machine hit both
// sides alike. The figure per side is the median over PAIRS processes.
const PAIRS = Number(process.env.BENCH_PAIRS ?? 5);

function runSide(withCost, kind) {
  const child = spawnSync(process.execPath, [fileURLToPath(import.meta.url)], {
    env: { ...process.env, BENCH_SIDE: withCost ? 'cost' : 'plain', BENCH_SPAN_KIND: kind },
    encoding: 'utf8',
  });
  if (child.status !== 0) throw new Error(`bench side failed: ${child.stderr}`);
  return JSON.parse(child.stdout.trim());
}

const median = (values) => [...values].sort((x, y) => x - y)[Math.floor(values.length / 2)];

function throughput(kind) {
  const plain = [];
  const costed = [];
  for (let i = 0; i < PAIRS; i++) {
    plain.push(runSide(false, kind));
    costed.push(runSide(true, kind));
  }
  const rates = (sides) => sides.map((s) => s.spansPerSecond);
  const base = median(rates(plain));
  const withCost = median(rates(costed));
  // Time per span is 1 / rate; the ratio of the two times is the processor's share.
  const paired = median(plain.map((p, i) => p.spansPerSecond / costed[i].spansPerSecond - 1));
  const bytes = (sides) => median(sides.map((s) => s.bytesPerSpan));
  return {
    base,
    withCost,
    overhead: base / withCost - 1,
    paired,
    plain: rates(plain),
    costed: rates(costed),
    bytesWithout: bytes(plain),
    bytesWith: bytes(costed),
  };
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
  // A child: one side, print spans/s and bytes/span.
  console.log(JSON.stringify(await side(process.env.BENCH_SIDE === 'cost')));
} else {
  const cpu = cpus()[0]?.model.trim() ?? 'unknown';
  console.log(`machine: ${cpus().length} x ${cpu}, node ${process.version}`);
  const list = (values) => values.map((v) => Math.round(v).toLocaleString('en-US')).join(', ');
  for (const [kind, label] of [
    ['llm', 'an LLM span (priced)'],
    ['http', 'an HTTP span (no cost)'],
  ]) {
    const t = throughput(kind);
    console.log(
      `create+end of ${label} (${ROUNDS} x ${SPANS} spans per process, median of ${PAIRS} processes per side, BatchSpanProcessor + no-op exporter, CPU time): ` +
        `${Math.round(t.base).toLocaleString('en-US')} spans/s without, ` +
        `${Math.round(t.withCost).toLocaleString('en-US')} spans/s with CostSpanProcessor ` +
        `(+${(t.overhead * 100).toFixed(1)}% time per span; paired by process pair +${(t.paired * 100).toFixed(1)}%)`,
    );
    console.log(`  per process, without: ${list(t.plain)}`);
    console.log(`  per process, with:    ${list(t.costed)}`);
    console.log(
      `  bytes allocated per span: ${Math.round(t.bytesWithout)} without, ${Math.round(t.bytesWith)} with (+${Math.round(t.bytesWith - t.bytesWithout)})`,
    );
  }
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
