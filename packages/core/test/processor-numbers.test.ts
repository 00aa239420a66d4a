/**
 * Numbers that are always numbers (issue: trust, §4): no Infinity, NaN or
 * -0 in what the processor writes; implausible inputs are marked, not summed;
 * cost_usd is on a span whenever a total counts it; figures are rounded.
 */
import {
  ATTR_COST_COMPUTE_USD,
  ATTR_COST_INPUT_USD,
  ATTR_COST_OUTPUT_USD,
  ATTR_COST_REASON,
  ATTR_COST_STATUS,
  ATTR_COST_USD,
  ATTR_TRACE_COST_USD,
  ATTR_TRACE_LLM_CALLS,
  ATTR_TRACE_LLM_COST_USD,
  ATTR_TRACE_UNPRICED_SPANS,
  CostSpanProcessor,
  normaliseProvider,
  SPAN_E2B_SANDBOX,
} from '@agentburn/core';
import type { Attributes } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { chatAttributes, sandboxAttributes } from './helpers/genai';
import { createTracing, endSpan } from './helpers/otel';

// Prices (genai-prices 0.1.8, USD per million tokens): gpt-4o input 2.5, output 10.
// E2B: 0.000014 per vCPU-second, 0.0000045 per GiB-second.

function setup() {
  return createTracing([new CostSpanProcessor()]);
}

/** A Vercel AI SDK call through OpenRouter, which reports its own cost. */
function openRouterCall(costUsd: number): Attributes {
  return {
    'ai.model.provider': 'openrouter.chat',
    'ai.model.id': 'openai/gpt-4o',
    'ai.usage.inputTokens': 1000,
    'ai.usage.outputTokens': 100,
    'ai.response.providerMetadata': JSON.stringify({ openrouter: { usage: { cost: costUsd } } }),
  };
}

/** `count` filler attributes, as an app that annotates its spans heavily would set. */
function filler(count: number): Attributes {
  const attributes: Attributes = {};
  for (let i = 0; i < count; i++) attributes[`app.note.${i}`] = i;
  return attributes;
}

describe('numbers that are always numbers', () => {
  it('no-infinity-in-trace-total-from-huge-provider-costs', () => {
    const { tracer, span } = setup();
    const root = tracer.startSpan('agent run');
    // Two reported costs of 1e308: their sum overflows to Infinity. Neither is summed.
    endSpan(tracer, 'ai.generateText.doGenerate', openRouterCall(1e308), root);
    endSpan(tracer, 'ai.streamText.doStream', openRouterCall(1e308), root);
    // A plausible one next to them: 0.0042.
    endSpan(tracer, 'ai.generateText.doGenerate', openRouterCall(0.0042), root);
    root.end();
    const a = span('agent run').attributes;
    expect(a[ATTR_TRACE_COST_USD]).toBe(0.0042);
    expect(a[ATTR_TRACE_LLM_COST_USD]).toBe(0.0042);
    expect(a[ATTR_TRACE_LLM_CALLS]).toBe(3);
    expect(a[ATTR_TRACE_UNPRICED_SPANS]).toBe(2);
    const huge = span('ai.streamText.doStream').attributes;
    expect(huge[ATTR_COST_USD]).toBeUndefined();
    expect(huge[ATTR_COST_STATUS]).toBe('unpriced');
    expect(huge[ATTR_COST_REASON]).toBe('usage_invalid');
  });

  it('marks-implausible-token-counts-usage-invalid', () => {
    const { tracer, span } = setup();
    // 1e308 input tokens x 2.5 / 1e6 = 2.5e302 USD: no call costs that.
    endSpan(tracer, 'chat gpt-4o', chatAttributes({ input: 1e308, output: 10 }));
    const a = span('chat gpt-4o').attributes;
    expect(a[ATTR_COST_USD]).toBeUndefined();
    expect(a[ATTR_COST_INPUT_USD]).toBeUndefined();
    expect(a[ATTR_COST_STATUS]).toBe('unpriced');
    expect(a[ATTR_COST_REASON]).toBe('usage_invalid');
  });

  it('no-negative-zero-cost-for-minus-zero-billed-seconds', () => {
    const { tracer, span } = setup();
    endSpan(tracer, SPAN_E2B_SANDBOX, sandboxAttributes(-0));
    const a = span(SPAN_E2B_SANDBOX).attributes;
    // -0 s x (2 x 0.000014 + 0.5 x 0.0000045) = -0 in IEEE arithmetic; written as 0.
    expect(Object.is(a[ATTR_COST_USD], 0)).toBe(true);
    expect(Object.is(a[ATTR_COST_COMPUTE_USD], 0)).toBe(true);
    expect(a[ATTR_COST_STATUS]).toBe('priced');
  });

  it('rounds-cost-to-12-significant-digits', () => {
    const { tracer, span } = setup();
    const root = tracer.startSpan('job');
    // input 1900 x 2.5 / 1e6 = 0.00475; output 950 x 10 / 1e6 = 0.0095;
    // 0.00475 + 0.0095 = 0.014249999999999999 in doubles; written 0.01425.
    endSpan(tracer, 'chat gpt-4o', chatAttributes({ input: 1900, output: 950 }), root);
    root.end();
    const a = span('chat gpt-4o').attributes;
    expect(a[ATTR_COST_USD]).toBe(0.01425);
    expect(a[ATTR_COST_INPUT_USD]).toBe(0.00475);
    expect(a[ATTR_COST_OUTPUT_USD]).toBe(0.0095);
    expect(span('job').attributes[ATTR_TRACE_COST_USD]).toBe(0.01425);
  });

  it('cost-usd-survives-attribute-count-limit', () => {
    const { tracer, span } = setup();
    const root = tracer.startSpan('job');
    // 6 chat attributes + 121 = 127 of the SDK's default 128: one slot left, for cost_usd.
    endSpan(tracer, 'chat gpt-4o', { ...chatAttributes({ input: 1000, output: 200 }), ...filler(121) }, root);
    root.end();
    const a = span('chat gpt-4o').attributes;
    expect(Object.keys(a)).toHaveLength(128);
    // 1000 x 2.5 / 1e6 + 200 x 10 / 1e6 = 0.0045, on the span and in the total alike.
    expect(a[ATTR_COST_USD]).toBe(0.0045);
    expect(span('job').attributes[ATTR_TRACE_COST_USD]).toBe(0.0045);
  });

  it('span-without-room-for-cost-is-not-counted-in-trace-total', () => {
    const { tracer, span } = setup();
    const root = tracer.startSpan('job');
    // Full (128 attributes): the SDK drops cost_usd, so no total may count 0.0045 for it.
    endSpan(tracer, 'chat gpt-4o', { ...chatAttributes({ input: 1000, output: 200 }), ...filler(122) }, root);
    // A second call with room: 1000 x 2.5 / 1e6 + 100 x 10 / 1e6 = 0.0035.
    endSpan(tracer, 'chat gpt-4o-mini-call', { ...chatAttributes({ input: 1000, output: 100 }) }, root);
    root.end();
    expect(span('chat gpt-4o').attributes[ATTR_COST_USD]).toBeUndefined();
    const r = span('job').attributes;
    expect(r[ATTR_TRACE_COST_USD]).toBe(0.0035);
    expect(r[ATTR_TRACE_LLM_CALLS]).toBe(2);
    expect(r[ATTR_TRACE_UNPRICED_SPANS]).toBe(1);
  });
});

describe('normaliseProvider on hostile input', () => {
  it('normalise-provider-is-linear-on-a-100-kb-dotted-name', () => {
    // 50,000 dots: quadratic prefix joins took about a minute here; linear work is instant.
    const name = 'acme.'.repeat(20_000);
    expect(name.length).toBe(100_000);
    expect(normaliseProvider(name)).toBe('acme');
    expect(normaliseProvider(`google.vertex.${'x.'.repeat(50_000)}`)).toBe('gcp.vertex_ai');
  });

  it('cuts-an-unknown-provider-name-to-its-bound', () => {
    expect(normaliseProvider('z'.repeat(100_000))).toBe('z'.repeat(256));
  });
});
