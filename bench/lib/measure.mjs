// Pieces every benchmark shares: a span exporter that only counts, medians,
// and the machine line printed above the figures.
import { cpus, totalmem } from 'node:os';

/** Counts and drops spans: the cost of tracing, not of I/O. */
export function countingExporter() {
  const exporter = {
    exported: 0,
    /** The attributes of the last span exported under each name, to compare variants' spans. */
    lastByName: new Map(),
    export: (spans, done) => {
      exporter.exported += spans.length;
      for (const span of spans) exporter.lastByName.set(span.name, span.attributes);
      done({ code: 0 });
    },
    shutdown: async () => {},
    forceFlush: async () => {},
  };
  return exporter;
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function machine() {
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  const gib = Math.round(totalmem() / 2 ** 30);
  return `Machine: ${cpu}, ${cpus().length} logical CPUs, ${gib} GiB, Node ${process.version}, ${process.platform}/${process.arch}`;
}

/**
 * Bytes allocated on the V8 heap between `start()` and `stop()`: the growth
 * of the used heap plus what every collection in between freed (from
 * `v8.GCProfiler`, which reports the used heap before and after each
 * collection). Deterministic where CPU time is not: the same calls allocate
 * the same bytes whatever else the machine runs.
 */
export async function allocationMeter() {
  const v8 = await import('node:v8');
  let profiler;
  let usedAtStart = 0;
  return {
    start() {
      profiler = new v8.GCProfiler();
      profiler.start();
      usedAtStart = v8.getHeapStatistics().used_heap_size;
    },
    /** Bytes allocated since `start()`. */
    stop() {
      const usedAtEnd = v8.getHeapStatistics().used_heap_size;
      let freed = 0;
      for (const gc of profiler.stop()?.statistics ?? []) {
        freed += gc.beforeGC.heapStatistics.usedHeapSize - gc.afterGC.heapStatistics.usedHeapSize;
      }
      return usedAtEnd - usedAtStart + freed;
    },
  };
}

/**
 * The client `fetch` for a bench's transport. `http` (undefined: the SDK's
 * own fetch) sends every call to the fake server over a socket, which puts
 * about 1 ms of CPU into each call and hides tens of microseconds of
 * tracing. `memory` (the default) sends each distinct request to the fake
 * once, keeps the bytes it answered (the real JSON or SSE body, status and
 * headers), and answers every later identical request from memory: the SDK
 * still parses real wire bytes, but no socket is involved.
 */
export function benchFetch(transport = process.env.BENCH_TRANSPORT ?? 'memory') {
  if (transport === 'http') return undefined;
  if (transport !== 'memory') throw new Error(`BENCH_TRANSPORT must be memory or http, not ${transport}`);
  const replies = new Map();
  return async (url, init = {}) => {
    const key = `${init.method ?? 'GET'} ${url} ${typeof init.body === 'string' ? init.body : ''}`;
    let reply = replies.get(key);
    if (!reply) {
      const response = await fetch(url, init);
      reply = { status: response.status, headers: [...response.headers], body: await response.text() };
      replies.set(key, reply);
    }
    return new Response(reply.body, { status: reply.status, headers: reply.headers });
  };
}
