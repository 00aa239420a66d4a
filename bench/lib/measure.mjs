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
