import { join } from 'node:path';
import { SPAN_DAYTONA_SANDBOX } from '@agentburn/core';
import { afterAll, afterEach, expect, it } from 'vitest';
import { scratchDir } from '../../../test/helpers/bundle';
import { requireFakePackage } from '../../../test/helpers/fake-package';
import { setupSandboxTracing } from '../../../test/helpers/sandbox-tracing';
import { DaytonaInstrumentation, SUPPORTED_VERSIONS } from '../src';

const tracing = setupSandboxTracing((clock) => new DaytonaInstrumentation({ clock }), SPAN_DAYTONA_SANDBOX);
const scratch = scratchDir('agentburn-daytona-');
afterEach(() => tracing.reset());
afterAll(() => scratch.remove());

const SDK_SOURCE = `class Daytona { create() { return 'untouched'; } }
  class Sandbox { stop() { return 'untouched'; } }
  module.exports = { Daytona, Sandbox };`;

it.each(['0.134.0', '1.0.0'])('declines-%s-with-one-message', (version) => {
  const sdk = requireFakePackage(join(scratch.dir, version), '@daytonaio/sdk', version, SDK_SOURCE);
  expect(new sdk.Daytona().create()).toBe('untouched');
  expect(sdk.Daytona.prototype.create.__wrapped).toBeUndefined();
  expect(sdk.Sandbox.prototype.stop.__wrapped).toBeUndefined();
  // Re-enabling replays the hooks: still one message.
  tracing.instrumentation.disable();
  tracing.instrumentation.enable();
  expect(tracing.warnings.filter((m) => m.includes(version))).toEqual([
    `@agentburn/instrumentation-daytona @daytonaio/sdk@${version} is outside the supported range ${SUPPORTED_VERSIONS.join(', ')}; its calls are not traced`,
  ]);
  expect(tracing.spans()).toHaveLength(0);
});

it('patches-the-lowest-supported-version', () => {
  const sdk = requireFakePackage(join(scratch.dir, 'lowest'), '@daytonaio/sdk', '0.135.0', SDK_SOURCE);
  expect(sdk.Daytona.prototype.create.__wrapped).toBe(true);
  expect(sdk.Sandbox.prototype.stop.__wrapped).toBe(true);
  expect(tracing.warnings).toEqual([]);
});
