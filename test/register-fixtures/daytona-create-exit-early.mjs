// Creates a Daytona sandbox (FIXTURE_DAYTONA_* point at a fake), starts creating a second one,
// then calls process.exit() with the first running and the second create still in flight.
import { Daytona } from '@daytonaio/sdk';

const daytona = new Daytona({
  apiUrl: process.env.FIXTURE_DAYTONA_API_URL,
  apiKey: process.env.FIXTURE_DAYTONA_API_KEY,
  target: 'us',
  useDeprecatedPolling: true,
});
const sandbox = await daytona.create();
process.stdout.write(`sandbox ${sandbox.id}\n`);
void daytona.create();
process.exit(0);
