// register() called from code, then shutdown() by the app itself.
const { register } = require('@agentburn/node');

// FIXTURE_BAD_OVERRIDES: a malformed overrides option, a programming error register() survives.
const costProcessor = process.env.FIXTURE_BAD_OVERRIDES ? { overrides: { 'my-model': { input_mtok: -1 } } } : undefined;
const sdk = register({ serviceName: 'fixture-service', handleExit: false, costProcessor });
const { trace } = require('@opentelemetry/api');
const OpenAI = require('openai');

const client = new OpenAI({ apiKey: 'test-key', maxRetries: 0 });
trace.getTracer('fixture-app').startActiveSpan('agent-run', async (root) => {
  await client.chat.completions.create({ model: 'my-model', messages: [{ role: 'user', content: 'hi' }] });
  root.end();
  await sdk.shutdown();
  process.stdout.write('shut down\n');
});
