// The pattern that works from code in an ES module app: register(), then load the SDK with await import().
import { register } from '@agentburn/node';

const telemetry = register({ serviceName: 'esm-first' });
const { default: OpenAI } = await import('openai');
const client = new OpenAI({ apiKey: 'test-key', maxRetries: 0 });
await client.chat.completions.create({ model: 'my-model', messages: [{ role: 'user', content: 'hi' }] });
await telemetry.shutdown();
