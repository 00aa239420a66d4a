// An ES module app, run as `node --import @agentburn/node/register openai-app.mjs`.
// FIXTURE_MODELS: comma-separated models, one chat call each, under one root span.
// FIXTURE_MODE: `exit-code` (sets process.exitCode = 3), `wait` (stays alive until a signal),
// `wait-own-handler` (same, with the app's own SIGTERM handler setting exitCode 3).
import { trace } from '@opentelemetry/api';
import OpenAI from 'openai';

const client = new OpenAI({ apiKey: 'test-key', maxRetries: 0 });
const tracer = trace.getTracer('fixture-app');

await tracer.startActiveSpan('agent-run', async (root) => {
  for (const model of (process.env.FIXTURE_MODELS ?? 'my-model').split(',')) {
    await client.chat.completions.create({ model, messages: [{ role: 'user', content: 'hi' }] });
  }
  root.end();
  process.stdout.write(`trace ${root.spanContext().traceId}\n`);
});

const mode = process.env.FIXTURE_MODE ?? '';
if (mode === 'exit-code') process.exitCode = 3;
if (mode.startsWith('wait')) {
  const keepAlive = setInterval(() => {}, 1_000);
  if (mode === 'wait-own-handler') {
    process.on('SIGTERM', () => {
      process.exitCode = 3;
      clearInterval(keepAlive);
    });
  }
  process.stdout.write('ready\n');
}
