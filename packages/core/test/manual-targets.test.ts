import type { DiagLogger } from '@opentelemetry/api';
import { beforeEach, expect, it } from 'vitest';
import { ManualTargets } from '../src/instrument/manual-targets';

/** A stand-in SDK: one class whose `send` an instrumentation wraps. */
class Client {
  send(): string {
    return 'sent';
  }
}
type Sdk = { Client: typeof Client };

const TRACED = Symbol('traced');
const ORIGINAL = Symbol('original');
type Send = (() => string) & { [TRACED]?: true; [ORIGINAL]?: () => string };

/** An instrumentation's patching as the real ones do it: idempotent, and undone by restoring the original. */
function patchSdk(target: unknown): boolean {
  const proto = (target as Partial<Sdk> | undefined)?.Client?.prototype;
  if (typeof proto?.send !== 'function') return false;
  const current = proto.send as Send;
  if (current[TRACED]) return true;
  const traced: Send = () => `traced ${current.call(proto)}`;
  traced[TRACED] = true;
  traced[ORIGINAL] = current;
  proto.send = traced;
  return true;
}

function unpatchSdk(target: unknown): void {
  const proto = (target as Partial<Sdk> | undefined)?.Client?.prototype;
  const current = proto?.send as Send | undefined;
  if (proto && current?.[ORIGINAL]) proto.send = current[ORIGINAL];
}

let messages: string[];
let enabled: boolean;
let patchCalls: number;
let unpatchCalls: number;
let sdk: Sdk;

function manualTargets(patch: (target: unknown) => boolean = patchSdk): ManualTargets {
  const record = (level: string) => (message: string) => messages.push(`${level} ${message}`);
  const diag: DiagLogger = {
    error: record('error'),
    warn: record('warn'),
    info: record('info'),
    debug: record('debug'),
    verbose: record('verbose'),
  };
  return new ManualTargets({
    sdk: 'some-sdk',
    diag,
    isEnabled: () => enabled,
    patch: (target) => {
      patchCalls++;
      return patch(target);
    },
    unpatch: (target) => {
      unpatchCalls++;
      unpatchSdk(target);
    },
  });
}

const sendOf = (target: Sdk) => new target.Client().send();
const layers = (target: Sdk) => {
  let count = 0;
  for (let send = target.Client.prototype.send as Send | undefined; send?.[TRACED]; send = send[ORIGINAL]) count++;
  return count;
};

beforeEach(() => {
  messages = [];
  enabled = true;
  patchCalls = 0;
  unpatchCalls = 0;
  sdk = { Client: class extends Client {} };
  sdk.Client.prototype.send = Client.prototype.send;
});

it('double-manuallyInstrument-is-idempotent', () => {
  const manual = manualTargets();
  expect(manual.add(sdk)).toBe(true);
  expect(manual.add(sdk)).toBe(true);
  expect(layers(sdk)).toBe(1);
  expect(sendOf(sdk)).toBe('traced sent');
  // Remembered once: one unpatch on disable, one patch on enable.
  patchCalls = 0;
  manual.unpatchAll();
  expect(unpatchCalls).toBe(1);
  manual.patchAll();
  expect(patchCalls).toBe(1);
  expect(layers(sdk)).toBe(1);
  expect(messages).toEqual([]);
});

it('disable-unpatches-manual-targets', () => {
  const manual = manualTargets();
  manual.add(sdk);
  enabled = false;
  manual.unpatchAll();
  expect(sendOf(sdk)).toBe('sent');
  expect(layers(sdk)).toBe(0);
});

it('enable-repatches-manual-targets', () => {
  const manual = manualTargets();
  manual.add(sdk);
  manual.unpatchAll();
  manual.patchAll();
  expect(sendOf(sdk)).toBe('traced sent');
  expect(layers(sdk)).toBe(1);
});

it('target-given-while-disabled-is-patched-on-enable', () => {
  enabled = false;
  const manual = manualTargets();
  expect(manual.add(sdk)).toBe(true);
  expect(patchCalls).toBe(0);
  expect(sendOf(sdk)).toBe('sent');
  enabled = true;
  manual.patchAll();
  expect(sendOf(sdk)).toBe('traced sent');
});

it('unknown-target-declined-with-one-diag-message-and-no-throw', () => {
  const manual = manualTargets();
  expect(manual.add({ unrelated: true })).toBe(false);
  expect(messages).toEqual([
    'warn manual instrumentation: no some-sdk module, class or client in what was given; nothing patched',
  ]);
  // Not remembered: nothing to redo on enable, nothing more said.
  manual.unpatchAll();
  manual.patchAll();
  expect(unpatchCalls).toBe(0);
  expect(messages).toHaveLength(1);
});

it('unknown-target-given-while-disabled-is-declined-once-on-enable', () => {
  enabled = false;
  const manual = manualTargets();
  manual.add(undefined);
  expect(messages).toEqual([]);
  enabled = true;
  manual.patchAll();
  manual.patchAll();
  expect(messages).toHaveLength(1);
  expect(messages[0]).toMatch(/^warn manual instrumentation: no some-sdk module/);
});

it('patch-that-throws-is-declined-with-one-diag-message-and-no-throw', () => {
  const manual = manualTargets(() => {
    throw new TypeError('odd SDK shape');
  });
  expect(() => manual.add(sdk)).not.toThrow();
  expect(manual.add(sdk)).toBe(false);
  expect(messages).toEqual([
    'error manual instrumentation of some-sdk failed; nothing patched',
    'error manual instrumentation of some-sdk failed; nothing patched',
  ]);
});

it('remove-forgets-and-unpatches-the-target', () => {
  const manual = manualTargets();
  manual.add(sdk);
  manual.remove(sdk);
  expect(sendOf(sdk)).toBe('sent');
  manual.patchAll();
  expect(sendOf(sdk)).toBe('sent');
});
