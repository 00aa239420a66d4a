// Pieces every benchmark shares: a span exporter that only counts, medians,
// and the machine line printed above the figures.
import { cpus, totalmem } from 'node:os';

/** Counts and drops spans: the cost of tracing, not of I/O. */
export function countingExporter() {
  const exporter = {
    exported: 0,
    export: (spans, done) => {
      exporter.exported += spans.length;
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
