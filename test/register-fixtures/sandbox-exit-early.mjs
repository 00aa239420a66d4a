// Creates an E2B sandbox (E2B_API_URL etc. point at a fake), then calls process.exit() with it still running.
import { Sandbox } from 'e2b';

const sandbox = await Sandbox.create('base');
process.stdout.write(`sandbox ${sandbox.sandboxId}\n`);
process.exit(0);
