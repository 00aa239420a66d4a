import { GENAI_PRICES_VERSION } from '@agentburn/core';
import { version } from '../package.json';
import { priceCommand } from './commands/price';
import { reportCommand } from './commands/report';
import { type CliIo, EXIT_ERROR, EXIT_OK, UsageError } from './io';

export const USAGE = `Usage: agentburn <command> [options]

Commands:
  price <model> --input N --output N   price one LLM call
  report [file|-] [--html OUT.html]    spend per trace, agent, model and day; a page with waterfalls

Options:
  -v, --version                        print the version and the price data's version

Run 'agentburn <command> --help' for a command's options.
`;

const COMMANDS: Record<string, (args: string[], io: CliIo) => Promise<number>> = {
  price: priceCommand,
  report: reportCommand,
};

/** Runs the `agentburn` command line; resolves to the exit code. */
export async function main(argv: string[], io: CliIo): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    io.stdout.write(USAGE);
    return name === undefined ? EXIT_ERROR : EXIT_OK;
  }
  if (name === '--version' || name === '-v') {
    io.stdout.write(`agentburn ${version} (price data: @pydantic/genai-prices ${GENAI_PRICES_VERSION})\n`);
    return EXIT_OK;
  }
  const command = COMMANDS[name];
  if (!command) {
    io.stderr.write(`agentburn: unknown command '${name}'\n\n${USAGE}`);
    return EXIT_ERROR;
  }
  try {
    return await command(args, io);
  } catch (err) {
    // parseArgs reports unknown or malformed options with a code of its own.
    const code = (err as { code?: string }).code;
    if (err instanceof UsageError || code?.startsWith('ERR_PARSE_ARGS')) {
      io.stderr.write(`agentburn ${name}: ${(err as Error).message}\nRun 'agentburn ${name} --help' for usage.\n`);
      return EXIT_ERROR;
    }
    throw err;
  }
}
