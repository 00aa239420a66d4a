import { parseArgs } from 'node:util';
import {
  COST_STATUS_PRICED,
  ENV_PRICES_FILE,
  loadPriceOverrides,
  type PriceOverrides,
  quoteLlmPrice,
} from '@agentburn/core';
import { type CliIo, EXIT_ERROR, EXIT_OK, EXIT_UNPRICED, parseCount, UsageError } from '../io';
import { formatUsdColumn, table } from '../report/format';

export const PRICE_USAGE = `Usage: agentburn price <model> --input N --output N [options]

Prices one LLM call from token counts, with the same engine and data the
cost processor uses (AGENTBURN_PRICES_FILE overrides included).

Options:
  --input N         input tokens, cached ones included
  --output N        output tokens, reasoning included
  --cache-read N    part of the input read from the prompt cache
  --cache-write N   part of the input written to the prompt cache
  --provider P      provider id (openai, anthropic, ...) when the model name is ambiguous
  --at DATE         price as of an ISO date (prices change over time)
  --json            one JSON document on stdout

Exit code 2 when no price is known for the model.
`;

export async function priceCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
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
          version: quote.version,
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
    io.stderr.write(`agentburn price: unpriced: no price for model '${model}'${where}\n`);
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
    `${model}: price entry ${entry} (price data ${quote.version})`,
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
