// An ES module app run under AGENTBURN_BUDGET_USD: one Gemini and one Bedrock call in one
// root span (one task), each refused by the budget, which the app catches by its code.
import { BedrockRuntimeClient, ConverseCommand } from '@aws-sdk/client-bedrock-runtime';
import { GoogleGenAI } from '@google/genai';
import { trace } from '@opentelemetry/api';

const gemini = new GoogleGenAI({ apiKey: 'test-key', httpOptions: { baseUrl: process.env.FIXTURE_GEMINI_URL } });
const bedrock = new BedrockRuntimeClient({
  region: 'us-east-1',
  endpoint: process.env.FIXTURE_BEDROCK_URL,
  credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'test-secret-key' },
  maxAttempts: 1,
});
const tracer = trace.getTracer('fixture-app');

const calls = {
  gemini: () =>
    gemini.models.generateContent({
      model: 'gemini-2.5-flash',
      contents: 'Say hello.',
      config: { maxOutputTokens: 100 },
    }),
  bedrock: () =>
    bedrock.send(
      new ConverseCommand({
        modelId: 'us.anthropic.claude-3-7-sonnet-20250219-v1:0',
        messages: [{ role: 'user', content: [{ text: 'Say hello.' }] }],
        inferenceConfig: { maxTokens: 100 },
      }),
    ),
};

await tracer.startActiveSpan('agent-run', async (root) => {
  for (const [name, call] of Object.entries(calls)) {
    try {
      await call();
      process.stdout.write(`sent ${name}\n`);
    } catch (error) {
      if (error?.code !== 'AGENTBURN_BUDGET_EXCEEDED') throw error;
      process.stdout.write(`refused ${name}\n`);
    }
  }
  root.end();
});
bedrock.destroy();
