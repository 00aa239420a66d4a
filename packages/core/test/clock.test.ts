import { expect, it } from 'vitest';
import { scheduleAt, systemClock } from '../src/instrument/clock';

/** Timers that keep the event loop (and so the process) alive. */
const refTimers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;

it('expiry-timers-never-keep-the-process-alive', () => {
  const before = refTimers();
  // A sandbox expiring in 10 minutes, on the wall clock with Node's timers.
  const cancel = scheduleAt(systemClock, Date.now() + 600_000, () => {});
  expect(refTimers()).toBe(before);
  cancel();
});

it('unrefs-the-timers-of-a-given-clock', () => {
  const handles: NodeJS.Timeout[] = [];
  const clock = {
    now: () => Date.now(),
    setTimeout: (fn: () => void, ms: number) => {
      const handle = setTimeout(fn, ms);
      handles.push(handle);
      return handle;
    },
    clearTimeout: (handle: unknown) => clearTimeout(handle as NodeJS.Timeout),
  };
  const cancel = scheduleAt(clock, Date.now() + 600_000, () => {});
  expect(handles).toHaveLength(1);
  expect(handles[0]!.hasRef()).toBe(false);
  cancel();
});
