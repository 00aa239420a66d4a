// An ES module app run under AGENTBURN_BUDGET_USD: chat calls in one root span
// (one task) until the budget refuses one, which the app catches by its code.
import { trace } from '@opentelemetry/api';
import OpenAI from 'openai';

const client = new OpenAI({ apiKey: 'test-key', maxRetries: 0 });
const tracer = trace.getTracer('fixture-app');

await tracer.startActiveSpan('agent-run', async (root) => {
  for (let call = 1; call <= 10; call++) {
    try {
      await client.chat.completions.create({
        model: 'my-model',
        max_tokens: 500,
        messages: [{ role: 'user', content: 'hi' }],
      });
    } catch (error) {
      if (error?.code !== 'AGENTBURN_BUDGET_EXCEEDED') throw error;
      process.stdout.write(`refused call ${call}\n`);
      break;
    }
  }
  root.end();
  process.stdout.write(`trace ${root.spanContext().traceId}\n`);
});
