import { type Context, diag, TraceFlags } from '@opentelemetry/api';
import { type ExportResult, ExportResultCode } from '@opentelemetry/core';
import type { PushMetricExporter, ResourceMetrics } from '@opentelemetry/sdk-metrics';
import {
  BatchSpanProcessor,
  type ReadableSpan,
  type Span,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-node';

/** The batch processor's settings (`OTEL_BSP_*`). */
export interface BatchSettings {
  maxQueueSize: number;
  maxExportBatchSize: number;
  scheduledDelayMillis: number;
  exportTimeoutMillis: number;
}

/** Why an export failed, in a few words: `HTTP 500 (Internal Server Error)`, `connect ECONNREFUSED 127.0.0.1:4318`. */
export function exportFailureReason(error: Error | undefined): string {
  if (!error) return 'export failed';
  const code = (error as { code?: unknown }).code;
  const message = error.message.split('\n')[0]?.slice(0, 200) || error.name;
  return typeof code === 'number' ? `HTTP ${code} (${message})` : message;
}

/** Warns once per distinct failure reason (bounded), so a dead collector is one line, not one per batch. */
class FailureWarnings {
  private readonly seen = new Set<string>();
  constructor(private readonly what: string) {}

  warn(destination: string, reason: string, lostSoFar: number): void {
    if (this.seen.has(reason) || this.seen.size >= 16) return;
    this.seen.add(reason);
    diag.warn(
      `agentburn: could not export ${this.what} to ${destination}: ${reason}` +
        (lostSoFar > 0 ? `; ${plural(lostSoFar, 'span')} lost so far, the total is printed at exit` : ''),
    );
  }
}

/**
 * A BatchSpanProcessor that accounts for every span it is handed: each one
 * is exported, or counted as lost and said (one warning when the first loss
 * of a kind happens, one line with the totals at shutdown or exit).
 *
 * The queue bound is enforced here, over queued and in-flight spans alike,
 * so a drop is counted where it happens; the inner processor gets the same
 * bound and never reaches it.
 */
export class AccountedBatchSpanProcessor implements SpanProcessor {
  private readonly inner: BatchSpanProcessor;
  private readonly failures = new FailureWarnings('spans');
  /** Handed to the exporter side and not yet settled (queued or in flight). */
  private pending = 0;
  private exported = 0;
  private failed = 0;
  private dropped = 0;
  private reasons: string[] = [];
  private shutDown = false;

  constructor(
    exporter: SpanExporter,
    private readonly settings: BatchSettings,
    /** Where the spans go, for messages: an URL or an exporter's name. */
    private readonly destination: string,
  ) {
    this.inner = new BatchSpanProcessor(this.counting(exporter), { ...settings });
  }

  onStart(span: Span, parentContext: Context): void {
    this.inner.onStart(span, parentContext);
  }

  onEnd(span: ReadableSpan): void {
    if (this.shutDown || (span.spanContext().traceFlags & TraceFlags.SAMPLED) === 0) return;
    if (this.pending >= this.settings.maxQueueSize) {
      if (this.dropped === 0) {
        diag.warn(
          `agentburn: the span export queue is full (${this.settings.maxQueueSize} spans, OTEL_BSP_MAX_QUEUE_SIZE); ` +
            'spans are dropped until it drains, the total is printed at exit',
        );
      }
      this.dropped++;
      return;
    }
    this.pending++;
    this.inner.onEnd(span);
  }

  /** Never rejects: a failed export is counted and said, not thrown at the caller. */
  async forceFlush(): Promise<void> {
    await this.inner.forceFlush().catch(() => {});
  }

  async shutdown(): Promise<void> {
    if (this.shutDown) return;
    this.shutDown = true;
    try {
      await this.inner.shutdown();
    } catch {
      // Counted in the loss line below.
    } finally {
      const line = this.lossLine();
      if (line) diag.warn(`agentburn: ${line}`);
    }
  }

  /** Spans handed to this processor and not (yet) delivered. */
  get lost(): number {
    return this.pending + this.failed + this.dropped;
  }

  /** `N spans not exported (...)`, or undefined when nothing was lost. */
  lossLine(): string | undefined {
    if (this.lost === 0) return undefined;
    const parts: string[] = [];
    if (this.dropped > 0) {
      parts.push(`${this.dropped} dropped: export queue full (OTEL_BSP_MAX_QUEUE_SIZE=${this.settings.maxQueueSize})`);
    }
    if (this.failed > 0) parts.push(`${this.failed} failed: ${this.destination}: ${this.reasons.join('; ')}`);
    if (this.pending > 0) parts.push(`${this.pending} still queued or in flight to ${this.destination}`);
    return `${plural(this.lost, 'span')} not exported (${parts.join('; ')})`;
  }

  private counting(exporter: SpanExporter): SpanExporter {
    return {
      export: (spans: ReadableSpan[], resultCallback: (result: ExportResult) => void) => {
        let settled = false;
        const settle = (result: ExportResult) => {
          if (settled) return;
          settled = true;
          this.pending -= spans.length;
          if (result.code === ExportResultCode.SUCCESS) this.exported += spans.length;
          else this.fail(spans.length, exportFailureReason(result.error));
          resultCallback(result);
        };
        try {
          exporter.export(spans, settle);
        } catch (err) {
          settle({ code: ExportResultCode.FAILED, error: err instanceof Error ? err : new Error(String(err)) });
        }
      },
      shutdown: () => exporter.shutdown(),
      forceFlush: () => exporter.forceFlush?.() ?? Promise.resolve(),
    };
  }

  private fail(count: number, reason: string): void {
    this.failed += count;
    if (!this.reasons.includes(reason) && this.reasons.length < 4) this.reasons.push(reason);
    this.failures.warn(this.destination, reason, this.failed + this.dropped);
  }
}

/** A metric exporter that says, once per reason, when an export fails (the SDK only logs it at error level, unseen by default). */
export function warnOnMetricExportFailure(exporter: PushMetricExporter, destination: string): PushMetricExporter {
  const failures = new FailureWarnings('metrics');
  const wrapped = Object.create(exporter) as PushMetricExporter;
  wrapped.export = (metrics: ResourceMetrics, resultCallback: (result: ExportResult) => void) =>
    exporter.export(metrics, (result) => {
      if (result.code !== ExportResultCode.SUCCESS) failures.warn(destination, exportFailureReason(result.error), 0);
      resultCallback(result);
    });
  return wrapped;
}

export function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
