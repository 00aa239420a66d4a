// Compact smoke test of the instrumentation against one installed copy of
// `openai` (any declared major). Usage: node matrix-smoke.mjs <dir containing node_modules/openai>
// Run by matrix.sh; exits non-zero on the first failed check.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const repoRoot = join(packageDir, '..', '..');
const tmp = join(packageDir, 'test', '.tmp');
const installDir = process.argv[2];
assert.ok(installDir, 'usage: node matrix-smoke.mjs <dir with node_modules/openai>');

// The current sources, as plain JavaScript (dependencies stay external).
mkdirSync(tmp, { recursive: true });
const common = { bundle: true, platform: 'node', format: 'esm', target: 'node20', logLevel: 'silent' };
await build({
  ...common,
  entryPoints: [join(packageDir, 'src', 'index.ts')],
  outfile: join(tmp, 'matrix-instrumentation.mjs'),
  alias: { '@agentburn/core': join(repoRoot, 'packages', 'core', 'src', 'index.ts') },
  external: ['@opentelemetry/*', 'openai', 'openai/*', '@pydantic/genai-prices'],
});
await build({
  ...common,
  entryPoints: [join(repoRoot, 'test', 'fakes', 'openai-server.ts')],
  outfile: join(tmp, 'matrix-fake.mjs'),
});

const { OpenAIInstrumentation } = await import(pathToFileURL(join(tmp, 'matrix-instrumentation.mjs')).href);
const { startOpenAIServer } = await import(pathToFileURL(join(tmp, 'matrix-fake.mjs')).href);
const { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } = await import(
  '@opentelemetry/sdk-trace-base'
);

const exporter = new InMemorySpanExporter();
const instrumentation = new OpenAIInstrumentation();
instrumentation.setTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }));

const requireFromInstall = createRequire(join(installDir, 'index.js'));
const version = JSON.parse(
  (await import('node:fs')).readFileSync(join(installDir, 'node_modules', 'openai', 'package.json'), 'utf8'),
).version;
const openai = requireFromInstall('openai');
const OpenAI = openai.OpenAI ?? openai;

const server = await startOpenAIServer();
const client = new OpenAI({ baseURL: server.url, apiKey: 'sk-test', maxRetries: 0 });
const messages = [{ role: 'user', content: 'hi' }];
const spans = () => exporter.getFinishedSpans();
const results = [];

async function check(name, fn) {
  exporter.reset();
  server.reset();
  try {
    await fn();
    results.push(`ok   ${name}`);
  } catch (error) {
    results.push(`FAIL ${name}: ${error?.message ?? error}`);
  }
}

await check('chat create', async () => {
  await client.chat.completions.create({ model: 'gpt-4o', messages });
  assert.equal(spans().length, 1);
  assert.equal(spans()[0].name, 'chat gpt-4o');
  assert.equal(spans()[0].attributes['gen_ai.usage.input_tokens'], 12);
});

await check('chat stream with hidden injected usage', async () => {
  const stream = await client.chat.completions.create({ model: 'gpt-4o', messages, stream: true });
  let chunks = 0;
  for await (const chunk of stream) {
    assert.equal(chunk.usage ?? undefined, undefined);
    chunks++;
  }
  assert.equal(chunks, 5);
  assert.equal(spans().length, 1);
  assert.equal(spans()[0].attributes['gen_ai.usage.output_tokens'], 5);
});

await check('early break ends the span', async () => {
  const stream = await client.chat.completions.create({ model: 'gpt-4o', messages, stream: true });
  for await (const _ of stream) break;
  assert.equal(spans().length, 1);
});

await check('abort during a stream is recorded', async () => {
  const controller = new AbortController();
  const stream = await client.chat.completions.create(
    { model: 'gpt-4o', messages, stream: true },
    { signal: controller.signal },
  );
  for await (const _ of stream) controller.abort();
  assert.equal(spans().length, 1);
  assert.equal(spans()[0].attributes['error.type'], 'APIUserAbortError');
});

await check('withResponse and asResponse', async () => {
  const { data, response } = await client.chat.completions.create({ model: 'gpt-4o', messages }).withResponse();
  assert.equal(data.id, 'chatcmpl-fake-1');
  assert.equal(response.status, 200);
  const raw = await client.chat.completions.create({ model: 'gpt-4o', messages }).asResponse();
  assert.equal((await raw.json()).id, 'chatcmpl-fake-1');
  assert.equal(spans().length, 2);
});

await check('stream helper makes one span', async () => {
  const completions = client.chat.completions.stream ? client.chat.completions : client.beta.chat.completions;
  const final = await completions.stream({ model: 'gpt-4o', messages }).finalChatCompletion();
  assert.equal(final.choices[0].message.content, 'Hello from the fake.');
  assert.equal(spans().length, 1);
});

if (client.responses) {
  await check('responses create', async () => {
    const response = await client.responses.create({ model: 'gpt-4o', input: 'hi' });
    assert.equal(response.id, 'resp_fake_1');
    assert.equal(spans().length, 1);
    assert.equal(spans()[0].attributes['gen_ai.response.id'], 'resp_fake_1');
  });
}

await check('embeddings create', async () => {
  await client.embeddings.create({ model: 'text-embedding-3-small', input: 'hi' });
  assert.equal(spans().length, 1);
  assert.equal(spans()[0].attributes['gen_ai.usage.input_tokens'], 8);
});

await check('429 reaches the caller and the span', async () => {
  server.reply({ error: { status: 429, message: 'slow down' } });
  const error = await client.chat.completions.create({ model: 'gpt-4o', messages }).catch((e) => e);
  assert.ok(error instanceof openai.RateLimitError);
  assert.equal(spans().length, 1);
  assert.equal(spans()[0].attributes['error.type'], 'RateLimitError');
});

await server.close();
console.log(`openai ${version}\n  ${results.join('\n  ')}`);
process.exitCode = results.some((r) => r.startsWith('FAIL')) ? 1 : 0;
