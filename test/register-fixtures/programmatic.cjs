// register() called from code, then shutdown() by the app itself.
const { register } = require('@agentburn/node');

const sdk = register({ serviceName: 'fixture-service', handleExit: false });
const { trace } = require('@opentelemetry/api');
const OpenAI = require('openai');

const client = new OpenAI({ apiKey: 'test-key', maxRetries: 0 });
trace.getTracer('fixture-app').startActiveSpan('agent-run', async (root) => {
  await client.chat.completions.create({ model: 'my-model', messages: [{ role: 'user', content: 'hi' }] });
  root.end();
  await sdk.shutdown();
  process.stdout.write('shut down\n');
});
