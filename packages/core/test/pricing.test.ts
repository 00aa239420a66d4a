/**
 * LLM pricing against the bundled @pydantic/genai-prices 0.1.8 data. Every
 * expected dollar figure is worked out by hand in a comment from the prices
 * that data holds (USD per million tokens, "mtok").
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  ENV_PRICES_FILE,
  GENAI_PRICES_VERSION,
  type LlmCall,
  LlmPricer,
  loadPriceOverrides,
  PriceFileError,
  quoteLlmPrice,
  readPriceOverrides,
  type Usage,
} from '@agentburn/core';
import { calcPrice } from '@pydantic/genai-prices';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { warningsOf } from './helpers/diag';

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/prices/${name}`, import.meta.url));
const AT = new Date('2025-10-01T12:00:00Z');

function usage(fields: Partial<Usage>): Usage {
  return {
    inputTokens: 0,
    outputTokens: 0,
    cacheReadTokens: 0,
    cacheWriteTokens: 0,
    cacheWrite1hTokens: 0,
    reasoningTokens: 0,
    ...fields,
  };
}

function call(fields: Partial<LlmCall> & { usage: Usage }): LlmCall {
  return { source: 'genai', estimated: false, issues: [], ...fields };
}

// No test may pick up a price file from the environment by accident.
const pricer = () => new LlmPricer({ pricesFile: '' });

describe('LlmPricer with genai-prices', () => {
  it('prices-gpt-4o', () => {
    // openai gpt-4o: input 2.5, cache_read 1.25, output 10 per mtok.
    // 1000 x 2.5/1e6 = 0.0025; 200 x 10/1e6 = 0.002; total 0.0045.
    const result = pricer().price(
      call({ provider: 'openai', requestModel: 'gpt-4o', usage: usage({ inputTokens: 1000, outputTokens: 200 }) }),
      AT,
    );
    expect(result.status).toBe('priced');
    expect(result.source).toBe('genai-prices');
    expect(result.model).toBe('gpt-4o');
    expect(result.version).toBe('0.1.8');
    expect(result.totalUsd).toBeCloseTo(0.0045, 12);
    expect(result.breakdown).toEqual({
      inputUsd: expect.closeTo(0.0025, 12),
      outputUsd: expect.closeTo(0.002, 12),
      cacheReadUsd: 0,
      cacheWriteUsd: 0,
      computeUsd: 0,
    });
  });

  it('prices-gpt-4o-cached-input-inside-input', () => {
    // 1000 input of which 400 cached: 600 x 2.5/1e6 = 0.0015; 400 x 1.25/1e6 = 0.0005;
    // 200 x 10/1e6 = 0.002; total 0.004.
    const result = pricer().price(
      call({
        provider: 'openai',
        requestModel: 'gpt-4o',
        usage: usage({ inputTokens: 1000, cacheReadTokens: 400, outputTokens: 200 }),
      }),
      AT,
    );
    expect(result.breakdown?.inputUsd).toBeCloseTo(0.0015, 12);
    expect(result.breakdown?.cacheReadUsd).toBeCloseTo(0.0005, 12);
    expect(result.totalUsd).toBeCloseTo(0.004, 12);
  });

  it('matches-dated-snapshot-to-its-entry', () => {
    // gpt-4o-2024-08-06 is listed under the gpt-4o entry (2.5 / 10): same 0.0045 as above.
    const result = pricer().price(
      call({
        provider: 'openai',
        requestModel: 'gpt-4o-2024-08-06',
        usage: usage({ inputTokens: 1000, outputTokens: 200 }),
      }),
      AT,
    );
    expect(result.model).toBe('gpt-4o');
    expect(result.totalUsd).toBeCloseTo(0.0045, 12);
  });

  it('matches-response-model-before-request-model', () => {
    // Response model gpt-4o-2024-05-13 has its own entry: input 5, output 15.
    // 1000 x 5/1e6 = 0.005; 200 x 15/1e6 = 0.003; total 0.008 (not gpt-4o's 0.0045).
    const result = pricer().price(
      call({
        provider: 'openai',
        requestModel: 'gpt-4o',
        responseModel: 'gpt-4o-2024-05-13',
        usage: usage({ inputTokens: 1000, outputTokens: 200 }),
      }),
      AT,
    );
    expect(result.model).toBe('gpt-4o-2024-05-13');
    expect(result.totalUsd).toBeCloseTo(0.008, 12);
  });

  it('falls-back-to-request-model-when-response-model-is-unknown', () => {
    const result = pricer().price(
      call({
        provider: 'openai',
        requestModel: 'gpt-4o',
        responseModel: 'gpt-4o-internal-build-xyz',
        usage: usage({ inputTokens: 1000, outputTokens: 200 }),
      }),
      AT,
    );
    expect(result.model).toBe('gpt-4o');
    expect(result.totalUsd).toBeCloseTo(0.0045, 12);
  });

  it('prices-claude-cache-reads-and-5m-and-1h-writes', () => {
    // anthropic claude-sonnet-4-5 below its 200k tier: input 3, cache_read 0.3,
    // cache_write 3.75 (5 min), cache_write_1h 6, output 15.
    // 10000 input = 1000 uncached + 6000 read + 3000 written (2000 x 5m + 1000 x 1h).
    // uncached 1000 x 3/1e6 = 0.003; read 6000 x 0.3/1e6 = 0.0018;
    // writes 2000 x 3.75/1e6 + 1000 x 6/1e6 = 0.0075 + 0.006 = 0.0135; output 500 x 15/1e6 = 0.0075.
    // total = 0.003 + 0.0018 + 0.0135 + 0.0075 = 0.0258.
    const u = usage({
      inputTokens: 10000,
      cacheReadTokens: 6000,
      cacheWriteTokens: 3000,
      cacheWrite1hTokens: 1000,
      outputTokens: 500,
    });
    const result = pricer().price(
      call({ provider: 'anthropic', requestModel: 'claude-sonnet-4-5-20250929', usage: u }),
      AT,
    );
    expect(result.model).toBe('claude-sonnet-4-5');
    expect(result.breakdown?.inputUsd).toBeCloseTo(0.003, 12);
    expect(result.breakdown?.cacheReadUsd).toBeCloseTo(0.0018, 12);
    expect(result.breakdown?.cacheWriteUsd).toBeCloseTo(0.0135, 12);
    expect(result.breakdown?.outputUsd).toBeCloseTo(0.0075, 12);
    expect(result.totalUsd).toBeCloseTo(0.0258, 12);
    // Same figure as genai-prices' own decomposition.
    const reference = calcPrice(
      {
        input_tokens: 10000,
        cache_read_tokens: 6000,
        cache_write_tokens: 3000,
        cache_write_1h_tokens: 1000,
        output_tokens: 500,
      },
      'claude-sonnet-4-5-20250929',
      { providerId: 'anthropic', timestamp: AT },
    );
    expect(reference?.total_price).toBeCloseTo(result.totalUsd!, 12);
  });

  it('derives-anthropic-1h-writes-as-2x-input-when-no-1h-price', () => {
    // An override with no 1-hour price: Anthropic bills 1 h writes at 2 x base input.
    // 3000 input = 1000 uncached + 2000 written, 1000 of them for 1 h.
    // 1000 x 4/1e6 = 0.004; 1000 x 5/1e6 = 0.005 (5 min); 1000 x (2 x 4)/1e6 = 0.008 (1 h); total 0.017.
    const p = new LlmPricer({ pricesFile: '', overrides: { 'claude-custom': { input_mtok: 4, cache_write_mtok: 5 } } });
    const result = p.price(
      call({
        provider: 'anthropic',
        requestModel: 'claude-custom',
        usage: usage({ inputTokens: 3000, cacheWriteTokens: 2000, cacheWrite1hTokens: 1000 }),
      }),
      AT,
    );
    expect(result.breakdown?.cacheWriteUsd).toBeCloseTo(0.013, 12);
    expect(result.totalUsd).toBeCloseTo(0.017, 12);
  });

  it('prices-gemini-2-5-pro-long-context-tier', () => {
    // google gemini-2.5-pro: input 1.25 / output 10, above 200000 input tokens 2.5 / 15.
    // 250000 x 2.5/1e6 = 0.625; 1000 x 15/1e6 = 0.015; total 0.64.
    const result = pricer().price(
      call({
        provider: 'gcp.gemini',
        requestModel: 'gemini-2.5-pro',
        usage: usage({ inputTokens: 250000, outputTokens: 1000 }),
      }),
      AT,
    );
    expect(result.model).toBe('gemini-2.5-pro');
    expect(result.totalUsd).toBeCloseTo(0.64, 12);
  });

  it('prices-gemini-2-5-pro-at-tier-boundary-with-base-rate', () => {
    // The tier starts strictly above 200000: 200000 x 1.25/1e6 = 0.25; 1000 x 10/1e6 = 0.01; total 0.26.
    const result = pricer().price(
      call({
        provider: 'gcp.vertex_ai',
        requestModel: 'gemini-2.5-pro',
        usage: usage({ inputTokens: 200000, outputTokens: 1000 }),
      }),
      AT,
    );
    expect(result.totalUsd).toBeCloseTo(0.26, 12);
  });

  it('prices-o3-reasoning-tokens-as-output-at-span-start-price', () => {
    // openai o3 from 2025-06-10: input 2, output 8. Output 3000 includes 2500 reasoning.
    // 2000 x 2/1e6 = 0.004; 3000 x 8/1e6 = 0.024; total 0.028.
    const c = call({
      provider: 'openai',
      requestModel: 'o3',
      usage: usage({ inputTokens: 2000, outputTokens: 3000, reasoningTokens: 2500 }),
    });
    const p = pricer();
    const after = p.price(c, new Date('2025-07-01T00:00:00Z'));
    expect(after.breakdown?.outputUsd).toBeCloseTo(0.024, 12);
    expect(after.totalUsd).toBeCloseTo(0.028, 12);
    // Before 2025-06-10 o3 cost input 10, output 40: 0.02 + 0.12 = 0.14.
    const before = p.price(c, new Date('2025-05-01T00:00:00Z'));
    expect(before.totalUsd).toBeCloseTo(0.14, 12);
  });

  it('prices-o4-mini-reasoning-tokens', () => {
    // openai o4-mini: input 1.1, output 4.4. 1000 x 1.1/1e6 = 0.0011; 2000 x 4.4/1e6 = 0.0088; total 0.0099.
    const result = pricer().price(
      call({
        provider: 'openai',
        requestModel: 'o4-mini',
        usage: usage({ inputTokens: 1000, outputTokens: 2000, reasoningTokens: 1500 }),
      }),
      AT,
    );
    expect(result.totalUsd).toBeCloseTo(0.0099, 12);
  });

  it('prices-deepseek-by-time-of-day', () => {
    // deepseek-chat: 0.27 / 1.1 between 00:30 and 16:30 UTC, else the off-peak 0.135 / 0.55.
    // Peak: 1e6 x 0.27/1e6 + 1e6 x 1.1/1e6 = 1.37; off-peak: 0.135 + 0.55 = 0.685.
    const c = call({
      provider: 'deepseek',
      requestModel: 'deepseek-chat',
      usage: usage({ inputTokens: 1e6, outputTokens: 1e6 }),
    });
    const p = pricer();
    const peak = new Date('2025-10-01T12:00:00Z');
    const offPeak = new Date('2025-10-01T20:00:00Z');
    expect(p.price(c, peak).totalUsd).toBeCloseTo(1.37, 12);
    expect(p.price(c, offPeak).totalUsd).toBeCloseTo(0.685, 12);
    for (const at of [peak, offPeak]) {
      const reference = calcPrice({ input_tokens: 1e6, output_tokens: 1e6 }, 'deepseek-chat', {
        providerId: 'deepseek',
        timestamp: at,
      });
      expect(p.price(c, at).totalUsd).toBeCloseTo(reference!.total_price, 12);
    }
  });

  it('halves-batch-tier', () => {
    // gpt-4o 1000 in / 200 out = 0.0045 standard; batch x 0.5 = 0.00225.
    const result = pricer().price(
      call({
        provider: 'openai',
        requestModel: 'gpt-4o',
        serviceTier: 'batch',
        usage: usage({ inputTokens: 1000, outputTokens: 200 }),
      }),
      AT,
    );
    expect(result.totalUsd).toBeCloseTo(0.00225, 12);
    expect(result.breakdown?.inputUsd).toBeCloseTo(0.00125, 12);
    // A flat multiplier stands in for the tier's own price list: an estimate.
    expect(result.estimated).toBe(true);
  });

  it('halves-flex-tier-and-uses-configured-priority', () => {
    const c = (serviceTier: string) =>
      call({
        provider: 'openai',
        requestModel: 'gpt-4o',
        serviceTier,
        usage: usage({ inputTokens: 1000, outputTokens: 200 }),
      });
    // flex 0.0045 x 0.5 = 0.00225; priority configured at 2: 0.0045 x 2 = 0.009.
    const p = new LlmPricer({ pricesFile: '', serviceTierMultipliers: { priority: 2 } });
    expect(p.price(c('flex'), AT).totalUsd).toBeCloseTo(0.00225, 12);
    expect(p.price(c('priority'), AT).totalUsd).toBeCloseTo(0.009, 12);
    expect(p.price(c('default'), AT).totalUsd).toBeCloseTo(0.0045, 12);
  });

  it('prices-priority-tier-at-default-multiplier-as-estimated', () => {
    // gpt-4o 1000 in / 200 out = 0.0045 standard; priority default x 1.75 = 0.007875.
    const result = pricer().price(
      call({
        provider: 'openai',
        requestModel: 'gpt-4o',
        serviceTier: 'priority',
        usage: usage({ inputTokens: 1000, outputTokens: 200 }),
      }),
      AT,
    );
    expect(result.totalUsd).toBeCloseTo(0.007875, 12);
    expect(result.estimated).toBe(true);
  });

  it('prices-unknown-tier-at-standard-rate-as-estimated', () => {
    const result = pricer().price(
      call({
        provider: 'openai',
        requestModel: 'gpt-4o',
        serviceTier: 'turbo-deluxe',
        usage: usage({ inputTokens: 1000, outputTokens: 200 }),
      }),
      AT,
    );
    expect(result.totalUsd).toBeCloseTo(0.0045, 12);
    expect(result.estimated).toBe(true);
  });

  it('maps-azure-provider-to-its-entries', () => {
    // azure gpt-4o (via genai-prices' azure provider, falling back to openai's list): 2.5 / 10 -> 0.0045.
    const result = pricer().price(
      call({
        provider: 'azure.ai.openai',
        requestModel: 'gpt-4o',
        usage: usage({ inputTokens: 1000, outputTokens: 200 }),
      }),
      AT,
    );
    expect(result.totalUsd).toBeCloseTo(0.0045, 12);
  });

  it('leaves-unknown-model-unpriced', () => {
    const result = pricer().price(
      call({
        provider: 'openai',
        requestModel: 'no-such-model-1',
        usage: usage({ inputTokens: 1000, outputTokens: 200 }),
      }),
      AT,
    );
    expect(result).toEqual({ status: 'unpriced', reason: 'model_unknown', estimated: false });
  });

  it('leaves-call-without-tokens-unpriced', () => {
    const result = pricer().price(call({ provider: 'openai', requestModel: 'gpt-4o', usage: usage({}) }), AT);
    expect(result.status).toBe('unpriced');
    expect(result.reason).toBe('usage_missing');
    expect(result.totalUsd).toBeUndefined();
  });

  it('marks-partial-when-output-has-no-price', () => {
    // text-embedding-3-small holds only input_mtok 0.02: 1000 x 0.02/1e6 = 0.00002; 10 output tokens unpriced.
    const result = pricer().price(
      call({
        provider: 'openai',
        requestModel: 'text-embedding-3-small',
        usage: usage({ inputTokens: 1000, outputTokens: 10 }),
      }),
      AT,
    );
    expect(result.status).toBe('partial');
    expect(result.totalUsd).toBeCloseTo(0.00002, 15);
  });

  it('passes-provider-reported-cost-through', () => {
    const result = pricer().price(
      call({
        provider: 'openrouter',
        requestModel: 'openai/gpt-4o',
        providerCostUsd: 0.0123,
        usage: usage({ inputTokens: 1000, outputTokens: 200 }),
      }),
      AT,
    );
    expect(result).toEqual({ status: 'priced', totalUsd: 0.0123, source: 'provider', estimated: false });
  });

  it('memoises-match-per-provider-and-model', () => {
    const p = pricer();
    const match = vi.spyOn(p.memo, 'match');
    const c = call({
      provider: 'openai',
      requestModel: 'gpt-4o',
      usage: usage({ inputTokens: 1000, outputTokens: 200 }),
    });
    for (let i = 0; i < 5; i++) expect(p.price(c, AT).totalUsd).toBeCloseTo(0.0045, 12);
    expect(match).toHaveBeenCalledTimes(1);
    p.price({ ...c, requestModel: 'o3' }, AT);
    p.price({ ...c, provider: 'azure.ai.openai' }, AT);
    expect(match).toHaveBeenCalledTimes(3);
    // Unknown models are memoised too: no repeated rule matching for them.
    p.price({ ...c, requestModel: 'no-such-model-2' }, AT);
    p.price({ ...c, requestModel: 'no-such-model-2' }, AT);
    expect(match).toHaveBeenCalledTimes(4);
  });

  it('never-throws-on-invalid-start-time', () => {
    const result = pricer().price(
      call({ provider: 'openai', requestModel: 'o3', usage: usage({ inputTokens: 1000, outputTokens: 1000 }) }),
      new Date(Number.NaN),
    );
    expect(result.status).toBe('priced');
  });

  it('pins-data-version-to-installed-genai-prices', () => {
    const pkgPath = createRequire(import.meta.url)
      .resolve('@pydantic/genai-prices')
      .replace(/dist[/\\]index\.cjs$/, 'package.json');
    expect(JSON.parse(readFileSync(pkgPath, 'utf8')).version).toBe(GENAI_PRICES_VERSION);
  });
});

describe('price overrides', () => {
  const savedEnv = process.env[ENV_PRICES_FILE];
  afterEach(() => {
    if (savedEnv === undefined) delete process.env[ENV_PRICES_FILE];
    else process.env[ENV_PRICES_FILE] = savedEnv;
  });

  it('prices-model-from-options-override', () => {
    // my-model: input 1, output 2. 1000 x 1/1e6 = 0.001; 500 x 2/1e6 = 0.001; total 0.002.
    const p = new LlmPricer({ pricesFile: '', overrides: { 'my-model': { input_mtok: 1, output_mtok: 2 } } });
    const result = p.price(
      call({ requestModel: 'my-model', usage: usage({ inputTokens: 1000, outputTokens: 500 }) }),
      AT,
    );
    expect(result.status).toBe('priced');
    expect(result.source).toBe('override');
    expect(result.model).toBe('my-model');
    expect(result.totalUsd).toBeCloseTo(0.002, 12);
  });

  it('override-wins-over-catalogue-and-provider-cost', () => {
    // openai/gpt-4o overridden at 1 / 1: 1000 x 1/1e6 + 200 x 1/1e6 = 0.0012 (catalogue would say 0.0045).
    const p = new LlmPricer({ pricesFile: '', overrides: { 'openai/gpt-4o': { input_mtok: 1, output_mtok: 1 } } });
    const result = p.price(
      call({
        provider: 'openai',
        requestModel: 'gpt-4o',
        providerCostUsd: 9,
        usage: usage({ inputTokens: 1000, outputTokens: 200 }),
      }),
      AT,
    );
    expect(result.source).toBe('override');
    expect(result.model).toBe('openai/gpt-4o');
    expect(result.totalUsd).toBeCloseTo(0.0012, 12);
    // The provider-qualified key does not apply to another provider.
    const other = p.price(
      call({
        provider: 'azure.ai.openai',
        requestModel: 'gpt-4o',
        usage: usage({ inputTokens: 1000, outputTokens: 200 }),
      }),
      AT,
    );
    expect(other.source).toBe('genai-prices');
  });

  it('reads-overrides-from-env-prices-file', () => {
    process.env[ENV_PRICES_FILE] = fixture('valid.json');
    const result = new LlmPricer().price(
      call({ requestModel: 'my-model', usage: usage({ inputTokens: 1000, outputTokens: 500 }) }),
      AT,
    );
    // Same 1 / 2 prices as the options case: 0.002.
    expect(result.source).toBe('override');
    expect(result.totalUsd).toBeCloseTo(0.002, 12);
  });

  it('prices-tiered-override-from-file', () => {
    // my-long-model: input 1, above 100000 input 2; output 4.
    // 150000 x 2/1e6 = 0.3; 1000 x 4/1e6 = 0.004; total 0.304.
    const result = new LlmPricer({ pricesFile: fixture('tiered.json') }).price(
      call({ requestModel: 'my-long-model', usage: usage({ inputTokens: 150000, outputTokens: 1000 }) }),
      AT,
    );
    expect(result.totalUsd).toBeCloseTo(0.304, 12);
  });

  it('options-override-wins-over-file', () => {
    const p = new LlmPricer({
      pricesFile: fixture('valid.json'),
      overrides: { 'my-model': { input_mtok: 10, output_mtok: 10 } },
    });
    // 1000 x 10/1e6 + 500 x 10/1e6 = 0.015.
    expect(
      p.price(call({ requestModel: 'my-model', usage: usage({ inputTokens: 1000, outputTokens: 500 }) }), AT).totalUsd,
    ).toBeCloseTo(0.015, 12);
  });

  const cases: Array<[string, (file: string) => string]> = [
    ['invalid-json.json', (f) => `AGENTBURN_PRICES_FILE ${f}: is not valid JSON`],
    [
      'negative-price.json',
      (f) => `AGENTBURN_PRICES_FILE ${f}: model "my-model": field "input_mtok" must be a non-negative number`,
    ],
    [
      'string-price.json',
      (f) => `AGENTBURN_PRICES_FILE ${f}: model "my-model": field "output_mtok" must be a non-negative number`,
    ],
    [
      'unknown-field.json',
      (f) =>
        `AGENTBURN_PRICES_FILE ${f}: model "my-model": field "input_mtoks" is not a price field (input_mtok, output_mtok, cache_read_mtok, cache_write_mtok, cache_write_1h_mtok, output_reasoning_mtok)`,
    ],
    ['model-not-object.json', (f) => `AGENTBURN_PRICES_FILE ${f}: model "my-model": must be an object of prices`],
    ['top-level-array.json', (f) => `AGENTBURN_PRICES_FILE ${f}: must be a JSON object of model ids to prices`],
    ['empty-model.json', (f) => `AGENTBURN_PRICES_FILE ${f}: model "my-model": has no price fields`],
    [
      'bad-tiers.json',
      (f) =>
        `AGENTBURN_PRICES_FILE ${f}: model "my-model": field "input_mtok" tiers must be a list of { "start": non-negative integer, "price": non-negative number }`,
    ],
    ['does-not-exist.json', (f) => `AGENTBURN_PRICES_FILE ${f}: cannot be read (ENOENT)`],
  ];
  for (const [name, message] of cases) {
    it(`bad-price-file-${name.replace('.json', '')}-warns-once-and-keeps-the-catalogue`, () => {
      const file = fixture(name);
      // The CLI's strict reading: the precise error.
      expect(() => loadPriceOverrides(file)).toThrow(PriceFileError);
      expect(() => loadPriceOverrides(file)).toThrow(message(file));
      // The SDK's reading: never throws, says it once, prices the rest from the catalogue.
      process.env[ENV_PRICES_FILE] = file;
      let p: LlmPricer | undefined;
      const warnings = warningsOf(() => {
        p = new LlmPricer();
      });
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toContain(message(file));
      // gpt-4o from the catalogue: 1000 x 2.5/1e6 + 200 x 10/1e6 = 0.0045.
      const result = p?.price(
        call({ provider: 'openai', requestModel: 'gpt-4o', usage: usage({ inputTokens: 1000, outputTokens: 200 }) }),
        AT,
      );
      expect(result?.source).toBe('genai-prices');
      expect(result?.totalUsd).toBeCloseTo(0.0045, 12);
    });
  }

  it('bad-price-file-entry-is-ignored-and-the-good-entries-apply', () => {
    const file = fixture('partly-bad.json');
    process.env[ENV_PRICES_FILE] = file;
    let p: LlmPricer | undefined;
    const warnings = warningsOf(() => {
      p = new LlmPricer();
    });
    expect(warnings).toEqual([
      `@agentburn/core: AGENTBURN_PRICES_FILE ${file}: model "other-model": field "input_mtok" must be a non-negative number; that model is ignored, prices come from the catalogue`,
    ]);
    // my-model from the file: 1000 x 1/1e6 + 500 x 2/1e6 = 0.002.
    const mine = p?.price(
      call({ requestModel: 'my-model', usage: usage({ inputTokens: 1000, outputTokens: 500 }) }),
      AT,
    );
    expect(mine?.source).toBe('override');
    expect(mine?.totalUsd).toBeCloseTo(0.002, 12);
    expect(p?.price(call({ requestModel: 'other-model', usage: usage({ inputTokens: 1000 }) }), AT).status).toBe(
      'unpriced',
    );
  });

  it('bad-price-file-directory-is-refused', () => {
    const dir = fixture('');
    expect(readPriceOverrides(dir).problems.map((p) => p.message)).toEqual([
      `AGENTBURN_PRICES_FILE ${dir}: is not a regular file (a directory)`,
    ]);
  });

  it.skipIf(process.platform === 'win32')('bad-price-file-fifo-is-refused-without-reading-it', () => {
    // Reading a FIFO nobody writes to blocks forever: the refusal must come from its type alone.
    const dir = mkdtempSync(join(tmpdir(), 'agentburn-fifo-'));
    try {
      const fifo = join(dir, 'prices.json');
      execFileSync('mkfifo', [fifo]);
      expect(readPriceOverrides(fifo).problems.map((p) => p.message)).toEqual([
        `AGENTBURN_PRICES_FILE ${fifo}: is not a regular file (a FIFO)`,
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects-malformed-options-override', () => {
    expect(() => new LlmPricer({ pricesFile: '', overrides: { m: { input_mtok: Number.NaN } } })).toThrow(
      'overrides option: model "m": field "input_mtok" must be a non-negative number',
    );
  });
});

describe('quoteLlmPrice', () => {
  it('quotes-gpt-4o', () => {
    // 1000 x 2.5/1e6 + 200 x 10/1e6 = 0.0045.
    const quote = quoteLlmPrice('gpt-4o', { input: 1000, output: 200 }, { provider: 'openai' });
    expect(quote.matchedModel).toBe('gpt-4o');
    expect(quote.provider).toBe('openai');
    expect(quote.status).toBe('priced');
    expect(quote.version).toBe('0.1.8');
    expect(quote.totalUsd).toBeCloseTo(0.0045, 12);
  });

  it('quotes-price-history-at-date', () => {
    // o3 before 2025-06-10: 1000 x 10/1e6 + 1000 x 40/1e6 = 0.05.
    const quote = quoteLlmPrice('o3', { input: 1000, output: 1000 }, { at: new Date('2025-05-01T00:00:00Z') });
    expect(quote.totalUsd).toBeCloseTo(0.05, 12);
  });

  it('quotes-unknown-model-as-unpriced', () => {
    const quote = quoteLlmPrice('no-such-model-3', { input: 1000, output: 200 });
    expect(quote.status).toBe('unpriced');
    expect(quote.totalUsd).toBeUndefined();
    expect(quote.parts).toEqual({ inputUsd: 0, outputUsd: 0, cacheReadUsd: 0, cacheWriteUsd: 0, computeUsd: 0 });
  });
});
