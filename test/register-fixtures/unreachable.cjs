// register() with a short flush bound, exporting to OTEL_EXPORTER_OTLP_ENDPOINT
// (a port nobody listens on); the app sets its own exit code and returns.
const { register } = require('@agentburn/node');

register({ serviceName: 'fixture-unreachable', shutdownTimeoutMillis: 500 });
const { trace } = require('@opentelemetry/api');
const OpenAI = require('openai');

const client = new OpenAI({ apiKey: 'test-key', maxRetries: 0 });
trace.getTracer('fixture-app').startActiveSpan('agent-run', async (root) => {
  await client.chat.completions.create({ model: 'my-model', messages: [{ role: 'user', content: 'hi' }] });
  root.end();
  process.exitCode = 4;
});
