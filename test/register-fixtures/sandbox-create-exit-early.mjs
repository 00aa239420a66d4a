// Starts creating an E2B sandbox (E2B_API_URL etc. point at a fake), then calls process.exit()
// with the create still in flight.
import { Sandbox } from 'e2b';

void Sandbox.create('base');
process.exit(0);
