#!/usr/bin/env node
// The `agentburn` bin. Committed, not built, so that npm links it on install
// even in a fresh clone, where dist/ does not exist until `npm run build`.
import { existsSync } from 'node:fs';

const cli = new URL('../dist/cli.js', import.meta.url);
if (existsSync(cli)) {
  await import(cli.href);
} else {
  process.stderr.write(
    'agentburn: this copy of @agentburn/cli is not built (dist/cli.js is missing).\n' +
      'In a clone of the repository, run `npm run build` first.\n',
  );
  process.exitCode = 1;
}
