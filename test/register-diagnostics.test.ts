/**
 * Never silent, never fatal: what @agentburn/node says on stderr, in real
 * child processes running the built package, exporting OTLP to local
 * receivers. Build first (`npm run build`; the root `npm test` does).
 */
import { execFileSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { ATTR_COST_USD } from '@agentburn/core';
import { describe, expect, it } from 'vitest';
import { startFakeDaytona } from './fakes/daytona-server';
import { startFakeE2B } from './fakes/e2b-server';
import { stderrLines } from './helpers/node-process';
import { startOtlpGrpcReceiver } from './helpers/otlp-receiver';
import {
  closedPort,
  IMPORT_REGISTER,
  nodePackageBuilt,
  spawnFixture,
  useRegisterHarness,
} from './helpers/register-harness';

/** An HTTP server that answers every request with `status`, or never answers when `status` is undefined. */
async function startBadCollector(status: number | undefined): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    req.resume();
    if (status !== undefined) req.on('end', () => res.writeHead(status).end('collector says no'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe.skipIf(!nodePackageBuilt)('@agentburn/node diagnostics', () => {
  const h = useRegisterHarness('agentburn-diagnostics-');
  const { env, withEndpoint } = h;

  // --- 1. Diagnostics reach the user ---------------------------------------------

  it('misconfiguration-says-one-startup-line-each-and-starts-anyway', async () => {
    const { done } = spawnFixture(
      [...IMPORT_REGISTER, 'openai-app.mjs'],
      withEndpoint({
        OTEL_TRACES_EXPORTER: 'otlp,zipkin',
        OTEL_METRICS_EXPORTER: 'prometheus',
        AGENTBURN_SUMMARY: 'sometimes',
        OTEL_BSP_MAX_QUEUE_SIZE: 'lots',
      }),
    );
    const run = await done;
    expect(run.code).toBe(0);
    expect(stderrLines(run).sort()).toEqual(
      [
        'agentburn: OTEL_TRACES_EXPORTER value "zipkin" is not supported (otlp, console, none); ignored',
        'agentburn: OTEL_METRICS_EXPORTER value "prometheus" is not supported (otlp, console, none); ignored',
        'agentburn: AGENTBURN_SUMMARY must be auto, always or never; got "sometimes", using auto',
        'agentburn: OTEL_BSP_MAX_QUEUE_SIZE must be a positive integer; got "lots", using 16384',
      ].sort(),
    );
    // otlp still exports.
    expect((await h.receiver.waitForSpans(2)).map((s) => s.name).sort()).toEqual(['agent-run', 'chat my-model']);
  });

  it('bad-sandbox-sample-seconds-is-said-once-though-two-sandbox-instrumentations-read-it', async () => {
    const run = await spawnFixture(
      [...IMPORT_REGISTER, 'openai-app.mjs'],
      withEndpoint({ AGENTBURN_SANDBOX_SAMPLE_SECONDS: 'often' }),
    ).done;
    expect(run.code).toBe(0);
    const lines = stderrLines(run);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^@agentburn\/instrumentation-\S+ AGENTBURN_SANDBOX_SAMPLE_SECONDS must be a non-negative number of seconds; usage sampling is off$/,
    );
  });

  it('diag-default-shows-our-warnings-and-no-sdk-chatter', async () => {
    const quiet = await spawnFixture(
      [...IMPORT_REGISTER, 'openai-app.mjs'],
      withEndpoint({ OTEL_TRACES_EXPORTER: 'otlp,zipkin' }),
    ).done;
    expect(stderrLines(quiet)).toEqual([
      'agentburn: OTEL_TRACES_EXPORTER value "zipkin" is not supported (otlp, console, none); ignored',
    ]);
    // OTEL_LOG_LEVEL=debug lets the OpenTelemetry SDK speak too (its global registrations, at least).
    const chatty = await spawnFixture(
      [...IMPORT_REGISTER, 'openai-app.mjs'],
      withEndpoint({ OTEL_TRACES_EXPORTER: 'otlp,zipkin', OTEL_LOG_LEVEL: 'debug' }),
    ).done;
    const lines = stderrLines(chatty);
    expect(lines).toContain(
      'agentburn: OTEL_TRACES_EXPORTER value "zipkin" is not supported (otlp, console, none); ignored',
    );
    expect(
      lines.some((l) => l.startsWith('opentelemetry debug: @opentelemetry/api: Registered a global for trace')),
    ).toBe(true);
    // OTEL_LOG_LEVEL=none: not a word.
    const silent = await spawnFixture(
      [...IMPORT_REGISTER, 'openai-app.mjs'],
      withEndpoint({ OTEL_TRACES_EXPORTER: 'otlp,zipkin', OTEL_LOG_LEVEL: 'none' }),
    ).done;
    expect(silent.stderr).toBe('');
  });

  it('sdk-imported-before-register-in-esm-app-is-named-with-the-fix', async () => {
    const run = await spawnFixture(['esm-register-late.mjs'], withEndpoint()).done;
    expect(run.code).toBe(0);
    expect(stderrLines(run)).toEqual([
      "agentburn: openai was loaded before register(), so its calls are not traced. Start the app with `node --import @agentburn/node/register app.js`, or call register() first and load openai after it (`await import('openai')`; a static import runs before register())",
    ]);
    expect(h.openai.requests).toHaveLength(1);
  });

  it('esm-app-register-then-await-import-is-traced-without-a-warning', async () => {
    const run = await spawnFixture(['esm-register-first.mjs'], withEndpoint()).done;
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    const [chat] = await h.receiver.waitForSpans(1);
    expect(chat?.name).toBe('chat my-model');
    expect(chat?.attributes[ATTR_COST_USD]).toBeCloseTo(0.002, 12);
    expect(chat?.resource['service.name']).toBe('esm-first');
  });

  it('register-in-a-preloaded-file-traces-the-esm-app', async () => {
    const run = await spawnFixture(['--import', './telemetry.mjs', 'openai-app.mjs'], withEndpoint()).done;
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    const spans = await h.receiver.waitForSpans(2);
    expect(spans.find((s) => s.name === 'chat my-model')?.attributes[ATTR_COST_USD]).toBeCloseTo(0.002, 12);
    expect(spans.every((s) => s.resource['service.name'] === 'preloaded')).toBe(true);
  });

  it('register-in-a-require-preload-keeps-the-apps-uncaught-error-output', async () => {
    const run = await spawnFixture(['--require', './telemetry.cjs', 'throws.cjs'], env()).done;
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('Error: boom from the app');
  });

  it('sdk-required-before-register-in-cjs-app-is-named-with-the-fix', async () => {
    const run = await spawnFixture(['cjs-register-late.cjs'], env()).done;
    expect(run.code).toBe(0);
    expect(stderrLines(run)).toEqual([
      "agentburn: openai was loaded before register(), so its calls are not traced. Start the app with `node --import @agentburn/node/register app.js`, or call register() first and load openai after it (`require('openai')`)",
    ]);
  });

  for (const [protocol, encoding] of [
    [undefined, 'protobuf'],
    ['http/protobuf', 'protobuf'],
    ['http/json', 'json'],
  ] as const) {
    it(`otlp-protocol-${protocol ?? 'unset'}-sends-${encoding}`, async () => {
      const run = await spawnFixture(
        [...IMPORT_REGISTER, 'openai-app.mjs'],
        withEndpoint(protocol ? { OTEL_EXPORTER_OTLP_PROTOCOL: protocol } : {}),
      ).done;
      expect(run.stderr).toBe('');
      const spans = await h.receiver.waitForSpans(2);
      expect(spans.map((s) => s.encoding)).toEqual([encoding, encoding]);
      expect(spans.find((s) => s.name === 'chat my-model')?.attributes[ATTR_COST_USD]).toBeCloseTo(0.002, 12);
      const [metrics] = await h.receiver.waitForRequests('/v1/metrics', 1);
      expect(metrics?.contentType).toContain(encoding);
    });
  }

  it('otlp-protocol-grpc-sends-grpc-with-the-optional-exporter', async () => {
    const grpc = await startOtlpGrpcReceiver();
    try {
      const run = await spawnFixture(
        [...IMPORT_REGISTER, 'openai-app.mjs'],
        env({
          OTEL_EXPORTER_OTLP_ENDPOINT: grpc.url,
          OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
          OTEL_METRICS_EXPORTER: 'none',
        }),
      ).done;
      expect(run.code).toBe(0);
      expect(run.stderr).toBe('');
      const spans = await grpc.waitForSpans(2);
      expect(spans.map((s) => s.name).sort()).toEqual(['agent-run', 'chat my-model']);
      expect(spans.find((s) => s.name === 'chat my-model')?.attributes[ATTR_COST_USD]).toBeCloseTo(0.002, 12);
    } finally {
      await grpc.close();
    }
  });

  // --- 2. No silent loss -----------------------------------------------------------

  it('export-failure-http-500-warns-once-naming-endpoint-then-counts-at-exit', async () => {
    const collector = await startBadCollector(500);
    try {
      const run = await spawnFixture(
        [...IMPORT_REGISTER, 'burst.mjs'],
        env({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${collector.url}/v1/traces`, FIXTURE_SPANS: '7' }),
      ).done;
      expect(run.code).toBe(0);
      const endpoint = `${collector.url}/v1/traces`;
      expect(stderrLines(run)).toEqual([
        `agentburn: could not export spans to ${endpoint}: HTTP 500 (Internal Server Error); 7 spans lost so far, the total is printed at exit`,
        `agentburn: 7 spans not exported (7 failed: ${endpoint}: HTTP 500 (Internal Server Error))`,
      ]);
    } finally {
      await collector.close();
    }
  });

  it('export-failure-closed-port-warns-once-naming-endpoint-then-counts-at-exit', async () => {
    const endpoint = `http://127.0.0.1:${await closedPort()}`;
    const run = await spawnFixture(
      [...IMPORT_REGISTER, 'burst.mjs'],
      // The exporter retries a refused connection until its timeout: keep that short.
      env({ OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_EXPORTER_OTLP_TIMEOUT: '300', FIXTURE_SPANS: '3' }),
    ).done;
    expect(run.code).toBe(0);
    const reason = `connect ECONNREFUSED ${endpoint.slice('http://'.length)}`;
    expect(stderrLines(run)).toEqual([
      `agentburn: could not export spans to ${endpoint}/v1/traces: ${reason}; 3 spans lost so far, the total is printed at exit`,
      `agentburn: 3 spans not exported (3 failed: ${endpoint}/v1/traces: ${reason})`,
    ]);
  });

  it('export-failure-timeout-warns-once-naming-endpoint-then-counts-at-exit', async () => {
    const collector = await startBadCollector(undefined);
    try {
      const run = await spawnFixture(
        [...IMPORT_REGISTER, 'burst.mjs'],
        env({ OTEL_EXPORTER_OTLP_ENDPOINT: collector.url, OTEL_EXPORTER_OTLP_TIMEOUT: '300', FIXTURE_SPANS: '2' }),
      ).done;
      expect(run.code).toBe(0);
      const lines = stderrLines(run);
      expect(lines).toHaveLength(2);
      expect(lines[0]).toMatch(
        new RegExp(
          `^agentburn: could not export spans to ${collector.url}/v1/traces: .*time.*; 2 spans lost so far`,
          'i',
        ),
      );
      expect(lines[1]).toMatch(
        new RegExp(`^agentburn: 2 spans not exported \\(2 failed: ${collector.url}/v1/traces: `),
      );
    } finally {
      await collector.close();
    }
  });

  it('burst-of-50000-spans-arrives-whole-or-the-printed-count-is-the-rest', async () => {
    const produced = 50_000;
    const run = await spawnFixture([...IMPORT_REGISTER, 'burst.mjs'], withEndpoint({ FIXTURE_SPANS: String(produced) }))
      .done;
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(`produced ${produced}\n`);
    const notExported = Number(/(\d+) spans not exported/.exec(run.stderr)?.[1] ?? 0);
    expect(h.receiver.spans.length + notExported).toBe(produced);
    if (notExported > 0) {
      // Said when it happened, and counted at the end.
      expect(stderrLines(run)).toEqual([
        'agentburn: the span export queue is full (16384 spans, OTEL_BSP_MAX_QUEUE_SIZE); spans are dropped until it drains, the total is printed at exit',
        `agentburn: ${notExported} spans not exported (${notExported} dropped: export queue full (OTEL_BSP_MAX_QUEUE_SIZE=16384))`,
      ]);
    }
  }, 30_000);

  it('burst-honours-otel-bsp-max-queue-size', async () => {
    const run = await spawnFixture(
      [...IMPORT_REGISTER, 'burst.mjs'],
      withEndpoint({ FIXTURE_SPANS: '1000', OTEL_BSP_MAX_QUEUE_SIZE: '100', OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '10' }),
    ).done;
    expect(run.code).toBe(0);
    // 100 fit in the queue; the other 900 are dropped, and said.
    expect(h.receiver.spans).toHaveLength(100);
    expect(stderrLines(run).at(-1)).toBe(
      'agentburn: 900 spans not exported (900 dropped: export queue full (OTEL_BSP_MAX_QUEUE_SIZE=100))',
    );
    // Batches of OTEL_BSP_MAX_EXPORT_BATCH_SIZE.
    expect(h.receiver.requests.filter((r) => r.path === '/v1/traces')).toHaveLength(10);
  });

  it('process-exit-with-spans-unexported-says-what-was-lost-and-the-fix', async () => {
    const run = await spawnFixture([...IMPORT_REGISTER, 'exit-early.mjs'], withEndpoint({ FIXTURE_SPANS: '10' })).done;
    expect(run.code).toBe(0);
    expect(h.receiver.spans).toHaveLength(0);
    expect(stderrLines(run)).toEqual([
      `agentburn: process.exit() ended the process before telemetry was flushed: 10 spans not exported (10 still queued or in flight to ${h.receiver.url}/v1/traces). Set process.exitCode and let the process end by itself, or \`await telemetry.shutdown()\` (telemetry = the handle register() returns) before calling process.exit()`,
    ]);
  });

  it('process-exit-with-a-sandbox-running-says-its-interval-was-lost-and-the-fix', async () => {
    const e2b = await startFakeE2B();
    try {
      // No endpoint: spans go to the terminal summary (written synchronously), so only the interval is lost.
      const run = await spawnFixture([...IMPORT_REGISTER, 'sandbox-exit-early.mjs'], env(e2b.env)).done;
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/^sandbox \S+\n$/);
      expect(stderrLines(run)).toEqual([
        'agentburn: process.exit() ended the process before telemetry was flushed: 1 sandbox interval still running (not ended, so its compute cost is not recorded). Set process.exitCode and let the process end by itself, or `await telemetry.shutdown()` (telemetry = the handle register() returns) before calling process.exit()',
      ]);
    } finally {
      await e2b.close();
    }
  });

  it('process-exit-with-an-e2b-create-in-flight-says-it-was-lost', async () => {
    const e2b = await startFakeE2B();
    try {
      const run = await spawnFixture([...IMPORT_REGISTER, 'sandbox-create-exit-early.mjs'], env(e2b.env)).done;
      expect(run.code).toBe(0);
      expect(stderrLines(run)).toEqual([
        'agentburn: process.exit() ended the process before telemetry was flushed: 1 sandbox call still in flight (its span not ended, and a sandbox it starts is not recorded). Set process.exitCode and let the process end by itself, or `await telemetry.shutdown()` (telemetry = the handle register() returns) before calling process.exit()',
      ]);
    } finally {
      await e2b.close();
    }
  });

  it('process-exit-with-a-sandbox-create-in-flight-names-it-apart-from-running-intervals', async () => {
    const daytona = await startFakeDaytona();
    try {
      const run = await spawnFixture(
        [...IMPORT_REGISTER, 'daytona-create-exit-early.mjs'],
        env({ FIXTURE_DAYTONA_API_URL: daytona.apiUrl, FIXTURE_DAYTONA_API_KEY: daytona.apiKey }),
      ).done;
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/^sandbox \S+\n$/);
      // One sandbox runs; the second create is an operation in flight, not an interval.
      expect(stderrLines(run)).toEqual([
        'agentburn: process.exit() ended the process before telemetry was flushed: 1 sandbox interval still running (not ended, so its compute cost is not recorded); 1 sandbox call still in flight (its span not ended, and a sandbox it starts is not recorded). Set process.exitCode and let the process end by itself, or `await telemetry.shutdown()` (telemetry = the handle register() returns) before calling process.exit()',
      ]);
    } finally {
      await daytona.close();
    }
  });

  // --- 3. Never fatal ----------------------------------------------------------------

  it.skipIf(process.platform === 'win32')(
    'fifo-price-file-is-refused-and-the-app-runs-traced',
    async () => {
      const fifo = join(h.dir, 'prices.fifo');
      execFileSync('mkfifo', [fifo]);
      try {
        const run = await spawnFixture(
          [...IMPORT_REGISTER, 'openai-app.mjs'],
          withEndpoint({ AGENTBURN_PRICES_FILE: fifo }),
        ).done;
        expect(run.code).toBe(0);
        expect(stderrLines(run)).toEqual([
          `@agentburn/core: AGENTBURN_PRICES_FILE ${fifo}: is not a regular file (a FIFO); the file is ignored, prices come from the catalogue`,
        ]);
        expect((await h.receiver.waitForSpans(2)).map((s) => s.name).sort()).toEqual(['agent-run', 'chat my-model']);
      } finally {
        rmSync(fifo, { force: true });
      }
    },
    15_000,
  );

  for (const [name, content, message] of [
    [
      'malformed',
      '{ "my-model": ',
      (f: string) => `AGENTBURN_PRICES_FILE ${f}: is not valid JSON; the file is ignored`,
    ],
    [
      'negative',
      '{ "my-model": { "input_mtok": -1, "output_mtok": 2 } }',
      (f: string) =>
        `AGENTBURN_PRICES_FILE ${f}: model "my-model": field "input_mtok" must be a non-negative number; that model is ignored`,
    ],
    [
      'array',
      '[]',
      (f: string) => `AGENTBURN_PRICES_FILE ${f}: must be a JSON object of model ids to prices; the file is ignored`,
    ],
  ] as const) {
    it(`bad-price-file-${name}-never-stops-register-from-code`, async () => {
      const file = join(h.dir, `${name}.json`);
      writeFileSync(file, content);
      const run = await spawnFixture(['programmatic.cjs'], withEndpoint({ AGENTBURN_PRICES_FILE: file })).done;
      expect(run.code).toBe(0);
      expect(run.stdout).toContain('shut down');
      expect(stderrLines(run)).toEqual([`@agentburn/core: ${message(file)}, prices come from the catalogue`]);
      expect((await h.receiver.waitForSpans(2)).map((s) => s.name).sort()).toEqual(['agent-run', 'chat my-model']);
    });
  }

  it('bad-price-file-is-said-once-when-bad-overrides-make-register-retry', async () => {
    const file = join(h.dir, 'retry.json');
    writeFileSync(file, '{ "my-model": ');
    const run = await spawnFixture(
      ['programmatic.cjs'],
      withEndpoint({ AGENTBURN_PRICES_FILE: file, FIXTURE_BAD_OVERRIDES: '1' }),
    ).done;
    expect(run.code).toBe(0);
    // The processor is built again without the overrides; the file was read once, and is said once.
    expect(stderrLines(run)).toEqual([
      `@agentburn/core: AGENTBURN_PRICES_FILE ${file}: is not valid JSON; the file is ignored, prices come from the catalogue`,
      'agentburn: costProcessor options rejected: overrides option: model "my-model": field "input_mtok" must be a non-negative number; the overrides option is ignored',
    ]);
    expect((await h.receiver.waitForSpans(2)).map((s) => s.name).sort()).toEqual(['agent-run', 'chat my-model']);
  });
});

if (!nodePackageBuilt) {
  describe('@agentburn/node diagnostics', () => {
    it.skip('skipped: packages/node/dist is missing; run `npm run build` first', () => {});
  });
}
