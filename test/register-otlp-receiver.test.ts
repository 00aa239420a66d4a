/**
 * The shared OTLP receiver (test/helpers/otlp-receiver.ts) against the real
 * OTLP/HTTP exporters: JSON and protobuf must decode to the same spans.
 */
import { context, SpanKind, trace } from '@opentelemetry/api';
import { OTLPTraceExporter as JsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, SimpleSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type OtlpReceiver, startOtlpReceiver } from './helpers/otlp-receiver';

describe('otlp receiver', () => {
  let receiver: OtlpReceiver;
  beforeEach(async () => {
    receiver = await startOtlpReceiver();
  });
  afterEach(async () => {
    await receiver.close();
  });

  async function exportOne(exporter: SpanExporter) {
    const provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ 'service.name': 'svc' }),
      spanProcessors: [new SimpleSpanProcessor(exporter)],
    });
    const tracer = provider.getTracer('scope-a');
    const parent = tracer.startSpan('parent');
    const child = tracer.startSpan(
      'chat m',
      {
        kind: SpanKind.CLIENT,
        attributes: { cost_usd: 0.0021, 'gen_ai.usage.input_tokens': 1000, ok: true, tags: ['a', 'b'], s: 'x' },
      },
      trace.setSpan(context.active(), parent),
    );
    child.end();
    parent.end();
    await provider.shutdown();
    return { parent, child };
  }

  for (const [encoding, create] of [
    ['json', (url: string) => new JsonExporter({ url })],
    ['protobuf', (url: string) => new ProtoExporter({ url })],
  ] as const) {
    it(`decodes-${encoding}-spans-with-typed-attributes`, async () => {
      const { parent, child } = await exportOne(create(`${receiver.url}/v1/traces`));
      const spans = await receiver.waitForSpans(2);
      const chat = spans.find((s) => s.name === 'chat m');
      expect(chat).toMatchObject({
        encoding,
        traceId: child.spanContext().traceId,
        spanId: child.spanContext().spanId,
        parentSpanId: parent.spanContext().spanId,
        kind: 3, // OTLP SPAN_KIND_CLIENT: the wire enum is the API's plus one
        scope: 'scope-a',
        resource: expect.objectContaining({ 'service.name': 'svc' }),
        attributes: { cost_usd: 0.0021, 'gen_ai.usage.input_tokens': 1000, ok: true, tags: ['a', 'b'], s: 'x' },
      });
      expect(chat?.endTimeUnixNano).toBeGreaterThanOrEqual(chat?.startTimeUnixNano ?? 0n);
      expect(spans.find((s) => s.name === 'parent')?.parentSpanId).toBe('');
      expect(receiver.requests[0]?.contentType).toContain(encoding === 'json' ? 'json' : 'protobuf');
    });
  }
});
