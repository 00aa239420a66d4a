/**
 * A local OTLP/HTTP receiver for tests: accepts what a collector's otlp
 * receiver accepts on :4318 (`POST /v1/traces`, `/v1/metrics`, `/v1/logs`,
 * JSON or protobuf) and flattens spans so tests can assert on them.
 *
 *   const receiver = await startOtlpReceiver();
 *   // OTEL_EXPORTER_OTLP_ENDPOINT=receiver.url
 *   const [span] = await receiver.waitForSpans(1);
 *   await receiver.close();
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export type AttributeValue = string | number | boolean | AttributeValue[] | { [key: string]: AttributeValue } | null;

export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  /** '' for a root span. */
  parentSpanId: string;
  name: string;
  kind: number;
  startTimeUnixNano: bigint;
  endTimeUnixNano: bigint;
  attributes: Record<string, AttributeValue>;
  resource: Record<string, AttributeValue>;
  scope: string;
  /** 'json' or 'protobuf': how it came over the wire. */
  encoding: 'json' | 'protobuf';
}

export interface ReceivedRequest {
  path: string;
  contentType: string;
  headers: IncomingMessage['headers'];
  /** Parsed JSON body, or undefined for protobuf. */
  json: unknown;
  body: Buffer;
}

export interface OtlpReceiver {
  /** Base URL, suitable for OTEL_EXPORTER_OTLP_ENDPOINT. */
  readonly url: string;
  readonly spans: ReceivedSpan[];
  readonly requests: ReceivedRequest[];
  /** Resolves once at least `count` spans arrived; rejects after `timeoutMillis` (a safety net, not a wait). */
  waitForSpans(count: number, timeoutMillis?: number): Promise<ReceivedSpan[]>;
  /** Resolves once at least `count` requests hit `path` (e.g. '/v1/metrics'). */
  waitForRequests(path: string, count: number, timeoutMillis?: number): Promise<ReceivedRequest[]>;
  close(): Promise<void>;
}

export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const spans: ReceivedSpan[] = [];
  const requests: ReceivedRequest[] = [];
  const waiters = new Set<() => void>();
  const notify = () => {
    for (const check of [...waiters]) check();
  };

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const path = (req.url ?? '').split('?')[0] ?? '';
      const contentType = String(req.headers['content-type'] ?? '');
      const isProto = contentType.includes('protobuf');
      if (req.method !== 'POST' || !['/v1/traces', '/v1/metrics', '/v1/logs'].includes(path)) {
        res.writeHead(404).end();
        return;
      }
      let json: unknown;
      try {
        if (!isProto) json = JSON.parse(body.toString('utf8'));
        if (path === '/v1/traces') spans.push(...(isProto ? spansFromProtobuf(body) : spansFromJson(json)));
      } catch (err) {
        res.writeHead(400, { 'content-type': 'text/plain' }).end(String(err));
        return;
      }
      requests.push({ path, contentType, headers: req.headers, json, body });
      // An empty ExportServiceResponse means full success.
      if (isProto) res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
      else res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      notify();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;

  function waitFor<T>(ready: () => T | undefined, what: string, timeoutMillis: number): Promise<T> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const value = ready();
        if (value === undefined) return;
        waiters.delete(check);
        clearTimeout(timer);
        resolve(value);
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`OTLP receiver: timed out waiting for ${what}`));
      }, timeoutMillis);
      waiters.add(check);
      check();
    });
  }

  return {
    url: `http://127.0.0.1:${port}`,
    spans,
    requests,
    waitForSpans: (count, timeoutMillis = 10_000) =>
      waitFor(() => (spans.length >= count ? spans : undefined), `${count} span(s)`, timeoutMillis),
    waitForRequests: (path, count, timeoutMillis = 10_000) =>
      waitFor(
        () => {
          const hits = requests.filter((r) => r.path === path);
          return hits.length >= count ? hits : undefined;
        },
        `${count} request(s) to ${path}`,
        timeoutMillis,
      ),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * The same for OTLP/gRPC (a collector's :4317): `TraceService/Export` over
 * HTTP/2, protobuf bodies. `url` is `http://127.0.0.1:PORT` (insecure).
 */
export async function startOtlpGrpcReceiver(): Promise<Pick<OtlpReceiver, 'url' | 'spans' | 'waitForSpans' | 'close'>> {
  const grpc = await import('@grpc/grpc-js');
  const spans: ReceivedSpan[] = [];
  const raw = (b: Buffer) => b;
  const server = new grpc.Server();
  server.addService(
    {
      Export: {
        path: '/opentelemetry.proto.collector.trace.v1.TraceService/Export',
        requestStream: false,
        responseStream: false,
        requestSerialize: raw,
        requestDeserialize: raw,
        responseSerialize: raw,
        responseDeserialize: raw,
      },
    },
    {
      Export: (call: { request: Buffer }, callback: (err: Error | null, response: Buffer) => void) => {
        spans.push(...spansFromProtobuf(call.request));
        callback(null, Buffer.alloc(0)); // an empty ExportTraceServiceResponse: full success
      },
    },
  );
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, bound) =>
      err ? reject(err) : resolve(bound),
    ),
  );
  return {
    url: `http://127.0.0.1:${port}`,
    spans,
    async waitForSpans(count, timeoutMillis = 10_000) {
      for (const started = Date.now(); spans.length < count; ) {
        if (Date.now() - started > timeoutMillis)
          throw new Error(`OTLP gRPC receiver: timed out waiting for ${count} span(s)`);
        await new Promise((r) => setTimeout(r, 20));
      }
      return spans;
    },
    close: () => new Promise<void>((resolve) => server.tryShutdown(() => resolve())),
  };
}

// --- OTLP/JSON ----------------------------------------------------------------

type JsonKeyValue = { key: string; value?: JsonAnyValue };
type JsonAnyValue = {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: number | string;
  doubleValue?: number | string;
  arrayValue?: { values?: JsonAnyValue[] };
  kvlistValue?: { values?: JsonKeyValue[] };
  bytesValue?: string;
};

function jsonValue(v: JsonAnyValue | undefined): AttributeValue {
  if (!v) return null;
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.boolValue !== undefined) return v.boolValue;
  if (v.intValue !== undefined) return Number(v.intValue);
  if (v.doubleValue !== undefined) return Number(v.doubleValue);
  if (v.arrayValue) return (v.arrayValue.values ?? []).map(jsonValue);
  if (v.kvlistValue) return jsonAttributes(v.kvlistValue.values);
  if (v.bytesValue !== undefined) return v.bytesValue;
  return null;
}

function jsonAttributes(kvs: JsonKeyValue[] | undefined): Record<string, AttributeValue> {
  const out: Record<string, AttributeValue> = {};
  for (const kv of kvs ?? []) out[kv.key] = jsonValue(kv.value);
  return out;
}

function spansFromJson(body: unknown): ReceivedSpan[] {
  const out: ReceivedSpan[] = [];
  type JsonSpan = {
    traceId: string;
    spanId: string;
    parentSpanId?: string;
    name: string;
    kind?: number;
    startTimeUnixNano: string | number;
    endTimeUnixNano: string | number;
    attributes?: JsonKeyValue[];
  };
  type Req = {
    resourceSpans?: {
      resource?: { attributes?: JsonKeyValue[] };
      scopeSpans?: { scope?: { name?: string }; spans?: JsonSpan[] }[];
    }[];
  };
  for (const rs of (body as Req).resourceSpans ?? []) {
    const resource = jsonAttributes(rs.resource?.attributes);
    for (const ss of rs.scopeSpans ?? []) {
      for (const s of ss.spans ?? []) {
        out.push({
          traceId: s.traceId,
          spanId: s.spanId,
          parentSpanId: s.parentSpanId ?? '',
          name: s.name,
          kind: s.kind ?? 0,
          startTimeUnixNano: BigInt(s.startTimeUnixNano),
          endTimeUnixNano: BigInt(s.endTimeUnixNano),
          attributes: jsonAttributes(s.attributes),
          resource,
          scope: ss.scope?.name ?? '',
          encoding: 'json',
        });
      }
    }
  }
  return out;
}

// --- OTLP/protobuf ---------------------------------------------------------------
// A minimal reader of the protobuf wire format, enough for ExportTraceServiceRequest.

type Field = { no: number; wire: number; varint?: bigint; bytes?: Buffer; fixed64?: Buffer };

function fields(buf: Buffer): Field[] {
  const out: Field[] = [];
  let pos = 0;
  const varint = (): bigint => {
    let result = 0n;
    let shift = 0n;
    for (let i = 0; i < 10; i++) {
      const byte = buf[pos++];
      if (byte === undefined) throw new Error('truncated varint');
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return result;
      shift += 7n;
    }
    throw new Error('varint too long');
  };
  while (pos < buf.length) {
    const key = Number(varint());
    const no = key >>> 3;
    const wire = key & 7;
    if (wire === 0) out.push({ no, wire, varint: varint() });
    else if (wire === 1) {
      out.push({ no, wire, fixed64: buf.subarray(pos, pos + 8) });
      pos += 8;
    } else if (wire === 2) {
      const len = Number(varint());
      out.push({ no, wire, bytes: buf.subarray(pos, pos + len) });
      pos += len;
    } else if (wire === 5) pos += 4;
    else throw new Error(`unsupported wire type ${wire}`);
  }
  return out;
}

const sub = (fs: Field[], no: number) => fs.filter((f) => f.no === no && f.bytes).map((f) => f.bytes as Buffer);
const str = (fs: Field[], no: number) => sub(fs, no)[0]?.toString('utf8') ?? '';
const hex = (fs: Field[], no: number) => sub(fs, no)[0]?.toString('hex') ?? '';
const fixed = (fs: Field[], no: number) => fs.find((f) => f.no === no)?.fixed64?.readBigUInt64LE(0) ?? 0n;

function protoValue(buf: Buffer): AttributeValue {
  const [f] = fields(buf);
  if (!f) return null;
  switch (f.no) {
    case 1:
      return f.bytes?.toString('utf8') ?? '';
    case 2:
      return f.varint === 1n;
    case 3:
      return Number(BigInt.asIntN(64, f.varint ?? 0n));
    case 4:
      return f.fixed64?.readDoubleLE(0) ?? 0;
    case 5:
      return sub(fields(f.bytes ?? Buffer.alloc(0)), 1).map(protoValue);
    case 6:
      return protoAttributes(fields(f.bytes ?? Buffer.alloc(0)), 1);
    case 7:
      return f.bytes?.toString('base64') ?? '';
    default:
      return null;
  }
}

function protoAttributes(fs: Field[], no: number): Record<string, AttributeValue> {
  const out: Record<string, AttributeValue> = {};
  for (const kv of sub(fs, no)) {
    const kf = fields(kv);
    const value = sub(kf, 2)[0];
    out[str(kf, 1)] = value ? protoValue(value) : null;
  }
  return out;
}

function spansFromProtobuf(body: Buffer): ReceivedSpan[] {
  const out: ReceivedSpan[] = [];
  for (const rs of sub(fields(body), 1)) {
    const rsf = fields(rs);
    const resourceBuf = sub(rsf, 1)[0];
    const resource = resourceBuf ? protoAttributes(fields(resourceBuf), 1) : {};
    for (const ss of sub(rsf, 2)) {
      const ssf = fields(ss);
      const scopeBuf = sub(ssf, 1)[0];
      const scope = scopeBuf ? str(fields(scopeBuf), 1) : '';
      for (const s of sub(ssf, 2)) {
        const f = fields(s);
        out.push({
          traceId: hex(f, 1),
          spanId: hex(f, 2),
          parentSpanId: hex(f, 4),
          name: str(f, 5),
          kind: Number(f.find((x) => x.no === 6)?.varint ?? 0n),
          startTimeUnixNano: fixed(f, 7),
          endTimeUnixNano: fixed(f, 8),
          attributes: protoAttributes(f, 9),
          resource,
          scope,
          encoding: 'protobuf',
        });
      }
    }
  }
  return out;
}
