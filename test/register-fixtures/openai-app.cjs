// A CommonJS app, run as `node --require @agentburn/node/register openai-app.cjs`.
const { trace } = require('@opentelemetry/api');
const OpenAI = require('openai');

const client = new OpenAI({ apiKey: 'test-key', maxRetries: 0 });
trace.getTracer('fixture-app').startActiveSpan('agent-run', async (root) => {
  await client.chat.completions.create({ model: 'my-model', messages: [{ role: 'user', content: 'hi' }] });
  root.end();
  process.stdout.write(`trace ${root.spanContext().traceId}\n`);
});
