import { join } from 'node:path';
import { SPAN_VERCEL_SANDBOX } from '@agentburn/core';
import { afterAll, afterEach, expect, it } from 'vitest';
import { scratchDir } from '../../../test/helpers/bundle';
import { requireFakePackage } from '../../../test/helpers/fake-package';
import { setupSandboxTracing } from '../../../test/helpers/sandbox-tracing';
import { SUPPORTED_VERSIONS, VercelSandboxInstrumentation } from '../src';

const tracing = setupSandboxTracing((clock) => new VercelSandboxInstrumentation({ clock }), SPAN_VERCEL_SANDBOX);
const scratch = scratchDir('agentburn-vercel-sandbox-');
afterEach(() => tracing.reset());
afterAll(() => scratch.remove());

const SDK_SOURCE = `class Sandbox { static create() { return 'untouched'; } stop() { return 'untouched'; } }
  module.exports = { Sandbox };`;

// 2.x sandboxes have no sessions: a different billing shape, declined.
it.each(['2.9.2', '4.0.0'])('declines-%s-with-one-message', (version) => {
  const sdk = requireFakePackage(join(scratch.dir, version), '@vercel/sandbox', version, SDK_SOURCE);
  expect(sdk.Sandbox.create()).toBe('untouched');
  expect(sdk.Sandbox.create.__wrapped).toBeUndefined();
  expect(sdk.Sandbox.prototype.stop.__wrapped).toBeUndefined();
  tracing.instrumentation.disable();
  tracing.instrumentation.enable();
  expect(tracing.warnings.filter((m) => m.includes(version))).toEqual([
    `@agentburn/instrumentation-vercel-sandbox @vercel/sandbox@${version} is outside the supported range ${SUPPORTED_VERSIONS.join(', ')}; its calls are not traced`,
  ]);
  expect(tracing.spans()).toHaveLength(0);
});

it('patches-the-lowest-supported-version', () => {
  const sdk = requireFakePackage(join(scratch.dir, 'lowest'), '@vercel/sandbox', '3.0.0', SDK_SOURCE);
  expect(sdk.Sandbox.create.__wrapped).toBe(true);
  expect(sdk.Sandbox.prototype.stop.__wrapped).toBe(true);
  expect(tracing.warnings).toEqual([]);
});
