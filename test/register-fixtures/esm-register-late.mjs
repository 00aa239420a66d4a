// The README's old "From code" example in an ES module app: the static import of openai runs before register().
import { register } from '@agentburn/node';
import OpenAI from 'openai';

const telemetry = register({ serviceName: 'esm-late' });
const client = new OpenAI({ apiKey: 'test-key', maxRetries: 0 });
await client.chat.completions.create({ model: 'my-model', messages: [{ role: 'user', content: 'hi' }] });
await telemetry.shutdown();
