import { parseArgs } from 'node:util';
import {
  COST_STATUS_PRICED,
  ENV_PRICES_FILE,
  isKnownPriceProvider,
  type LlmQuote,
  loadPriceOverrides,
  type PriceOverrides,
  type PricePeriod,
  type PriceTier,
  quoteLlmPrice,
} from '@agentburn/core';
import { type CliIo, EXIT_ERROR, EXIT_OK, EXIT_UNPRICED, joinNegativeValues, parseCount, UsageError } from '../io';
import { formatUsdColumn, table } from '../report/format';

export const PRICE_USAGE = `Usage: agentburn price <model> --input N --output N [options]

Prices one LLM call from token counts, with the same engine and data the
cost processor uses (AGENTBURN_PRICES_FILE overrides included).

Options:
  --input N         input tokens, cached ones included
  --output N        output tokens, reasoning included
  --cache-read N    part of the input read from the prompt cache
  --cache-write N   part of the input written to the prompt cache
  --provider P      provider (openai, anthropic, gcp.gemini, aws.bedrock, or a
                    genai-prices id such as google or openrouter) when the
                    model name is ambiguous; an unknown provider is an error
  --at DATE         price as of an ISO date (prices change over time)
  --json            one JSON document on stdout

The output names the long-context tier the input falls in (for prices tiered
on input tokens) and which dated or daily price applied.

Exit code 2 when no price is known for the model (at that date).
`;

const STRING_OPTIONS = ['input', 'output', 'cache-read', 'cache-write', 'provider', 'at'] as const;

export async function priceCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    // `--input -5` would read as a missing value and an unknown option `-5`.
    args: joinNegativeValues(args, STRING_OPTIONS),
    allowPositionals: true,
    options: {
      input: { type: 'string' },
      output: { type: 'string' },
      'cache-read': { type: 'string' },
      'cache-write': { type: 'string' },
      provider: { type: 'string' },
      at: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    io.stdout.write(PRICE_USAGE);
    return EXIT_OK;
  }
  if (positionals.length !== 1) throw new UsageError('price takes one model name');
  const model = positionals[0]!;
  const input = parseCount('input', values.input);
  const output = parseCount('output', values.output);
  if (input === undefined || output === undefined) throw new UsageError('price needs --input and --output');
  const cacheRead = parseCount('cache-read', values['cache-read']) ?? 0;
  const cacheWrite = parseCount('cache-write', values['cache-write']) ?? 0;
  if (cacheRead + cacheWrite > input) {
    throw new UsageError('--cache-read and --cache-write are parts of --input: their sum cannot exceed it');
  }
  if (values.provider !== undefined && !isKnownPriceProvider(values.provider)) {
    throw new UsageError(
      `unknown --provider '${values.provider}': the price data has no such provider (e.g. openai, anthropic, gcp.gemini, aws.bedrock, azure.ai.openai, google, openrouter)`,
    );
  }
  let at: Date | undefined;
  if (values.at !== undefined) {
    at = new Date(values.at);
    if (Number.isNaN(at.getTime())) throw new UsageError(`--at must be an ISO date, got '${values.at}'`);
  }

  // The price file is read here, not left to the engine, so a broken file is a clear error and not a silent miss.
  let overrides: PriceOverrides | undefined;
  const pricesFile = process.env[ENV_PRICES_FILE];
  if (pricesFile) {
    try {
      overrides = loadPriceOverrides(pricesFile);
    } catch (err) {
      io.stderr.write(`agentburn price: ${(err as Error).message}\n`);
      return EXIT_ERROR;
    }
  }

  const quote = quoteLlmPrice(
    model,
    { input, output, cacheRead, cacheWrite },
    { provider: values.provider, at, overrides },
  );
  const priced = quote.totalUsd !== undefined;

  if (values.json) {
    io.stdout.write(
      `${JSON.stringify(
        {
          model,
          matchedModel: quote.matchedModel,
          provider: quote.provider,
          status: quote.status,
          source: quote.source,
          version: quote.version,
          tier: quote.tier,
          period: quote.period,
          tokens: { input, output, cacheRead, cacheWrite },
          costUsd: priced
            ? {
                input: quote.parts.inputUsd,
                output: quote.parts.outputUsd,
                cacheRead: quote.parts.cacheReadUsd,
                cacheWrite: quote.parts.cacheWriteUsd,
              }
            : undefined,
          totalUsd: quote.totalUsd,
        },
        null,
        2,
      )}\n`,
    );
  }
  if (!priced) {
    const where = values.provider ? ` (provider ${values.provider})` : '';
    const when =
      quote.period?.kind === 'before-first' ? ` before ${quote.period.firstFrom}, its first recorded price` : '';
    io.stderr.write(`agentburn price: unpriced: no price for model '${model}'${where}${when}\n`);
    return EXIT_UNPRICED;
  }
  if (values.json) return EXIT_OK;

  const p = quote.parts;
  // Uncached input is what is left after the cache parts.
  const rows: Array<[string, string, number]> = [['input', String(input - cacheRead - cacheWrite), p.inputUsd]];
  if (cacheRead) rows.push(['cache read', String(cacheRead), p.cacheReadUsd]);
  if (cacheWrite) rows.push(['cache write', String(cacheWrite), p.cacheWriteUsd]);
  rows.push(['output', String(output), p.outputUsd], ['total', '', quote.totalUsd!]);
  const costs = formatUsdColumn(rows.map((r) => r[2]));

  const entry = [quote.matchedModel ?? model, quote.provider].filter(Boolean).join(', provider ');
  const lines = [
    `${model}: price entry ${entry} (${quote.source === 'override' ? `${ENV_PRICES_FILE}, ` : ''}price data ${quote.version})`,
    ...describeTier(quote.tier),
    ...describePeriod(quote, model, values.at),
    ...table(
      ['', 'tokens', 'cost'],
      rows.map(([part, tokens], i) => [part, tokens, costs[i]!]),
      [false, true, true],
    ),
  ];
  if (quote.status !== COST_STATUS_PRICED)
    lines.push(`status: ${quote.status} (a part of this call has no known price)`);
  io.stdout.write(`${lines.join('\n')}\n`);
  return EXIT_OK;
}

const tokens = (n: number) => n.toLocaleString('en-US');

/** The long-context tier line, for prices tiered on input tokens. */
function describeTier(tier: PriceTier | undefined): string[] {
  if (tier === undefined) return [];
  if (tier.level === 0)
    return [`tier: base, input up to ${tokens(tier.nextAbove!)} tokens (long-context prices above)`];
  const name = tier.level === 1 ? 'long context' : `long context, tier ${tier.level}`;
  const next = tier.nextAbove === undefined ? '' : ` (tier ${tier.level + 1} above ${tokens(tier.nextAbove)})`;
  return [`tier: ${name}, input above ${tokens(tier.inputAbove!)} tokens${next}`];
}

/**
 * Which dated or daily price applied. Said whenever `--at` was given, or the
 * entry's price changed over time; the price data gives the first recorded
 * price no start date, so a date before the model existed cannot be told
 * apart from one after: the line says so rather than imply otherwise.
 */
function describePeriod(quote: LlmQuote, model: string, at: string | undefined): string[] {
  const period: PricePeriod | undefined = quote.period;
  if (period === undefined) return [];
  const noStart =
    at === undefined
      ? '; the price data gives it no start date'
      : `; the price data gives it no start date, so whether ${model} was priced on ${at} is not known`;
  switch (period.kind) {
    case 'only':
      return at === undefined ? [] : [`price period: the only recorded price${noStart}`];
    case 'first':
      return [`price period: the first recorded price (until ${period.until})${noStart}`];
    case 'from':
      return [`price period: from ${period.from}${period.until === undefined ? '' : ` until ${period.until}`}`];
    case 'daily':
      return [`price period: inside the daily window ${period.startUtc} to ${period.endUtc} UTC`];
    case 'outside-daily':
      return [`price period: outside the daily window ${period.startUtc} to ${period.endUtc} UTC`];
    default:
      return [];
  }
}
