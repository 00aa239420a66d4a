import { createRequire } from 'node:module';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type FakeAnthropicServer, startAnthropicServer } from '../../../test/fakes/anthropic-server';
import { bundleSdk, scratchDir } from '../../../test/helpers/bundle';
import { setupTracing, spansEnded } from './helpers';

const tracing = setupTracing();
const PARAMS = { model: 'claude-haiku-4-5', max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] };

let fake: FakeAnthropicServer;
const scratch = scratchDir('agentburn-anthropic-');
beforeAll(async () => {
  fake = await startAnthropicServer();
});
afterAll(async () => {
  await fake.close();
  scratch.remove();
});

it('manual-patch-for-bundles', async () => {
  // The SDK bundled into the application's own file: no require or import hook sees it.
  const file = join(scratch.dir, 'app-bundle.cjs');
  await bundleSdk('@anthropic-ai/sdk', file);
  const bundled = createRequire(file)(file);
  expect(bundled.Anthropic.Messages.prototype.create.__wrapped).toBeUndefined();

  expect(tracing.instrumentation.patch(bundled)).toBe(true);
  expect(bundled.Anthropic.Messages.prototype.create.__wrapped).toBe(true);
  expect(tracing.instrumentation.patch({ unrelated: true })).toBe(false);

  const client = new bundled.Anthropic({ apiKey: 'sk-test', baseURL: fake.url, maxRetries: 0 });
  await client.messages.create(PARAMS);
  await client.beta.messages.create(PARAMS);
  expect((await spansEnded(tracing, 2)).map((s) => s.name)).toEqual(['chat claude-haiku-4-5', 'chat claude-haiku-4-5']);

  // disable() undoes manual patches too.
  tracing.instrumentation.disable();
  expect(bundled.Anthropic.Messages.prototype.create.__wrapped).toBeUndefined();
  await client.messages.create(PARAMS);
  expect(tracing.spans()).toHaveLength(2);

  // enable() patches it again: the hand-patched copy is remembered.
  tracing.instrumentation.enable();
  expect(bundled.Anthropic.Messages.prototype.create.__wrapped).toBe(true);
  await client.messages.create(PARAMS);
  expect(await spansEnded(tracing, 3)).toHaveLength(3);
});
