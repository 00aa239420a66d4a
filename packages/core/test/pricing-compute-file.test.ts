/** Sandbox rates from the price file's `computeRates` section. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ComputePricer,
  CostSpanProcessor,
  type LlmCall,
  LlmPricer,
  loadComputeRates,
  PriceFileError,
  readPricesFile,
} from '@agentburn/core';
import { afterAll, expect, it } from 'vitest';
import { warningsOf } from './helpers/diag';

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
  let pricer: ComputePricer | undefined;
  const warnings = warningsOf(() => {
    pricer = new ComputePricer({}, file);
  });
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

const gpt4o: LlmCall = {
  source: 'genai',
  estimated: false,
  issues: [],
  provider: 'openai',
  requestModel: 'gpt-4o',
  usage: {
    inputTokens: 1000,
    outputTokens: 200,
    cacheReadTokens: 0,
    cacheWriteTokens: 0,
    cacheWrite1hTokens: 0,
    reasoningTokens: 0,
  },
};

it('malformed-price-file-is-said-once-for-both-pricers', () => {
  const file = join(dir, 'malformed.json');
  writeFileSync(file, '{ "my-model": ');
  const warnings = warningsOf(() => new CostSpanProcessor({ pricesFile: file }));
  // One reading for the LLM and the sandbox pricers: a second would say it again.
  expect(warnings).toEqual([
    `@agentburn/core: AGENTBURN_PRICES_FILE ${file}: is not valid JSON; the file is ignored, prices come from the catalogue`,
  ]);
});

it('unreadable-price-file-is-opened-once-for-both-pricers', () => {
  const file = join(dir, 'missing.json');
  const warnings = warningsOf(() => new CostSpanProcessor({ pricesFile: file }));
  // Each opening of a missing file is one ENOENT: one line means one open.
  expect(warnings).toEqual([
    `@agentburn/core: AGENTBURN_PRICES_FILE ${file}: cannot be read (ENOENT); the file is ignored, prices come from the catalogue`,
  ]);
});

it('bad-model-and-bad-rates-are-each-said-once-naming-file-and-field', () => {
  const file = pricesFile({
    'my-model': { input_mtok: -1 },
    'good-model': { input_mtok: 1 },
    computeRates: { daytona: { perVcpuSecond: 'cheap' } },
  });
  const warnings = warningsOf(() => new CostSpanProcessor({ pricesFile: file }));
  expect(warnings).toEqual([
    `@agentburn/core: AGENTBURN_PRICES_FILE ${file}: model "my-model": field "input_mtok" must be a non-negative number; that model is ignored, prices come from the catalogue`,
    `@agentburn/core: AGENTBURN_PRICES_FILE ${file}: "computeRates" provider "daytona": "perVcpuSecond" must be a non-negative number; the section is ignored, sandboxes are priced at the published rates`,
  ]);
});

it('one-reading-serves-both-pricers-after-the-file-changed', () => {
  const file = pricesFile({
    'gpt-4o': { input_mtok: 1, output_mtok: 1 },
    computeRates: { daytona: { perVcpuSecond: 0.0001, perGibSecond: 0 } },
  });
  const reading = readPricesFile(file);
  // The file changes after the one reading: neither pricer opens it again.
  writeFileSync(file, JSON.stringify({ 'gpt-4o': { input_mtok: 50, output_mtok: 50 } }));
  // 1000 x 1/1e6 + 200 x 1/1e6 = 0.0012
  expect(new LlmPricer({ pricesFile: reading }).price(gpt4o, Date.now()).totalUsd).toBeCloseTo(0.0012, 12);
  // 60 s x 1 vCPU x 0.0001 = 0.006
  expect(new ComputePricer({}, reading).price(daytonaMinute).totalUsd).toBeCloseTo(0.006, 12);
});
