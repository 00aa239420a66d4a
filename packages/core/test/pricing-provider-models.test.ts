/**
 * Model ids as the Gemini, Vertex AI and Bedrock APIs spell them, matched to
 * their @pydantic/genai-prices 0.1.8 entries. Every dollar figure is worked
 * out by hand from the prices that data holds (USD per million tokens).
 */
import { type LlmCall, LlmPricer, type Usage } from '@agentburn/core';
import { describe, expect, it } from 'vitest';

const AT = new Date('2025-12-01T12:00:00Z');
const pricer = new LlmPricer({ pricesFile: '' });

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

function price(provider: string, requestModel: string, u: Usage) {
  const call: LlmCall = { source: 'genai', provider, requestModel, usage: u, estimated: false, issues: [] };
  return pricer.price(call, AT);
}

// 1000 uncached + 2000 cache read + 3000 cache write = 6000 input (cache-inclusive), 500 output.
const CACHED = usage({ inputTokens: 6000, cacheReadTokens: 2000, cacheWriteTokens: 3000, outputTokens: 500 });

describe('bedrock model ids', () => {
  it('prices-cross-region-profile-cache-write-and-read-by-hand', () => {
    // regional.anthropic.claude-3-7-sonnet: input 3, cache write 3.75, cache read 0.3, output 15
    //   input        1000 x 3    = 3000
    //   cache read   2000 x 0.3  =  600
    //   cache write  3000 x 3.75 = 11250
    //   output        500 x 15   = 7500
    //   total 22350 / 1e6        = 0.02235
    const result = price('aws.bedrock', 'us.anthropic.claude-3-7-sonnet-20250219-v1:0', CACHED);
    expect(result.status).toBe('priced');
    expect(result.model).toBe('regional.anthropic.claude-3-7-sonnet-20250219-v1:0');
    expect(result.totalUsd).toBeCloseTo(0.02235, 12);
    expect(result.breakdown?.cacheReadUsd).toBeCloseTo(0.0006, 12);
    expect(result.breakdown?.cacheWriteUsd).toBeCloseTo(0.01125, 12);
    expect(result.breakdown?.inputUsd).toBeCloseTo(0.003, 12);
  });

  it('prices-an-inference-profile-arn-like-its-profile-id', () => {
    const arn = 'arn:aws:bedrock:eu-west-1:123456789012:inference-profile/eu.anthropic.claude-sonnet-4-20250514-v1:0';
    const result = price('aws.bedrock', arn, CACHED);
    expect(result.model).toBe('regional.anthropic.claude-sonnet-4-20250514-v1:0');
    // Same rates as above: 0.02235.
    expect(result.totalUsd).toBeCloseTo(0.02235, 12);
  });

  it('prices-global-and-regional-profiles-apart', () => {
    const u = usage({ inputTokens: 10_000, cacheReadTokens: 5000, cacheWriteTokens: 1000, outputTokens: 1000 });
    // global.anthropic.claude-haiku-4-5: input 1, write 1.25, read 0.1, output 5
    //   4000 x 1 + 5000 x 0.1 + 1000 x 1.25 + 1000 x 5 = 4000 + 500 + 1250 + 5000 = 10750 / 1e6
    const global = price('aws.bedrock', 'global.anthropic.claude-haiku-4-5-20251001-v1:0', u);
    expect(global.totalUsd).toBeCloseTo(0.01075, 12);
    // us. is a regional profile, 10% dearer: input 1.1, write 1.375, read 0.11, output 5.5
    //   4400 + 550 + 1375 + 5500 = 11825 / 1e6
    const regional = price('aws.bedrock', 'us.anthropic.claude-haiku-4-5-20251001-v1:0', u);
    expect(regional.totalUsd).toBeCloseTo(0.011825, 12);
  });

  it('prices-a-foundation-model-arn-of-nova', () => {
    // amazon.nova-pro-v1:0: input 0.8, cache read 0.2, output 3.2
    //   500 x 0.8 + 500 x 0.2 + 100 x 3.2 = 400 + 100 + 320 = 820 / 1e6
    const result = price(
      'aws.bedrock',
      'arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-pro-v1:0',
      usage({ inputTokens: 1000, cacheReadTokens: 500, outputTokens: 100 }),
    );
    expect(result.model).toBe('amazon.nova-pro-v1:0');
    expect(result.totalUsd).toBeCloseTo(0.00082, 12);
  });

  it('prices-a-meta-cross-region-profile', () => {
    // meta.llama3-3-70b-instruct-v1:0: input 0.72, output 0.72: 2000 x 0.72 / 1e6
    const result = price(
      'aws.bedrock',
      'us.meta.llama3-3-70b-instruct-v1:0',
      usage({ inputTokens: 1000, outputTokens: 1000 }),
    );
    expect(result.totalUsd).toBeCloseTo(0.00144, 12);
  });

  it('leaves-an-application-inference-profile-unpriced', () => {
    // Its id names no model: the price is unknown, never 0.
    const arn = 'arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/a1b2c3d4e5f6';
    const result = price('aws.bedrock', arn, CACHED);
    expect(result.status).toBe('unpriced');
    expect(result.totalUsd).toBeUndefined();
  });
});

describe('google resource names', () => {
  const u = usage({ inputTokens: 1000, outputTokens: 100 });

  it('prices-a-models-prefixed-gemini-id', () => {
    // gemini-2.5-flash: input 0.3, output 2.5: 300 + 250 = 550 / 1e6
    const result = price('gcp.gemini', 'models/gemini-2.5-flash', u);
    expect(result.model).toBe('gemini-2.5-flash');
    expect(result.totalUsd).toBeCloseTo(0.00055, 12);
  });

  it('prices-a-vertex-resource-name', () => {
    // gemini-2.5-pro: input 1.25, output 10: 1250 + 1000 = 2250 / 1e6
    const name = 'projects/my-project/locations/us-central1/publishers/google/models/gemini-2.5-pro';
    const result = price('gcp.vertex_ai', name, u);
    expect(result.model).toBe('gemini-2.5-pro');
    expect(result.totalUsd).toBeCloseTo(0.00225, 12);
  });

  it('prices-a-publisher-slash-model-id', () => {
    expect(price('gcp.vertex_ai', 'google/gemini-2.5-flash', u).totalUsd).toBeCloseTo(0.00055, 12);
  });
});
