/** Sandbox rates from the price file's `computeRates` section. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ComputePricer, LlmPricer, loadComputeRates, PriceFileError } from '@agentburn/core';
import { type DiagLogger, DiagLogLevel, diag } from '@opentelemetry/api';
import { afterAll, expect, it } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'agentburn-rates-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function pricesFile(json: unknown): string {
  const file = join(dir, `prices-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, JSON.stringify(json));
  return file;
}

const daytonaMinute = {
  provider: 'daytona',
  vcpu: 1,
  memoryMib: 1024,
  billedSeconds: 60,
  estimated: false,
  issues: [],
};

it('reads-sandbox-rates-from-the-price-file', () => {
  const file = pricesFile({ computeRates: { Daytona: { perVcpuSecond: 0.0001, perGibSecond: 0 } } });
  // 60 s x 1 vCPU x 0.0001 = 0.006; the disk rate stays the published one, and there is no disk here.
  expect(new ComputePricer({}, file).price(daytonaMinute).totalUsd).toBeCloseTo(0.006, 12);
});

it('the-option-wins-over-the-price-file', () => {
  const file = pricesFile({ computeRates: { daytona: { perVcpuSecond: 0.0001, perGibSecond: 0 } } });
  const pricer = new ComputePricer({ daytona: { perVcpuSecond: 0.0002 } }, file);
  expect(pricer.price(daytonaMinute).totalUsd).toBeCloseTo(0.012, 12);
});

it('a-bad-rate-key-names-the-file-and-the-provider', () => {
  const file = pricesFile({ computeRates: { vercel: { perCpuHour: 1 }, daytona: { perVcpuSecond: 0.0001 } } });
  // The strict reading (the CLI's) throws the precise error.
  expect(() => loadComputeRates(file)).toThrow(PriceFileError);
  expect(() => loadComputeRates(file)).toThrow(`"computeRates" provider "vercel": "perCpuHour" is not a rate key`);
});

it('a-bad-rate-section-warns-once-and-the-published-rates-apply', () => {
  const file = pricesFile({ computeRates: { daytona: { perVcpuSecond: -1 } } });
  const warnings: string[] = [];
  const collect = (...args: unknown[]) => warnings.push(args.join(' '));
  const logger: DiagLogger = { error: collect, warn: collect, info: () => {}, debug: () => {}, verbose: () => {} };
  diag.setLogger(logger, { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true });
  let pricer: ComputePricer | undefined;
  try {
    pricer = new ComputePricer({}, file);
  } finally {
    diag.disable();
  }
  expect(warnings).toEqual([
    `@agentburn/core: AGENTBURN_PRICES_FILE ${file}: "computeRates" provider "daytona": "perVcpuSecond" must be a non-negative number; the section is ignored, sandboxes are priced at the published rates`,
  ]);
  // Published Daytona rates: 60 s x (1 vCPU x 0.0504/3600 + 1 GiB x 0.0162/3600) = 0.00111.
  expect(pricer?.price(daytonaMinute).totalUsd).toBeCloseTo(0.00111, 12);
});

it('model-prices-and-sandbox-rates-share-one-file', () => {
  const file = pricesFile({
    'my-model': { input_mtok: 1, output_mtok: 2 },
    computeRates: { e2b: { perVcpuSecond: 0.00002 } },
  });
  expect(() => new LlmPricer({ pricesFile: file })).not.toThrow();
});
