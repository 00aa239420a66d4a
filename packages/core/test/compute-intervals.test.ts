import { diag, ROOT_CONTEXT } from '@opentelemetry/api';
import { afterEach, expect, it } from 'vitest';
import { ComputeIntervals } from '../src/instrument/compute-intervals';
import { closeAllOpenIntervals, openIntervalCount } from '../src/open-intervals';
import { warningsOf } from './helpers/diag';
import { createTracing } from './helpers/otel';

afterEach(() => {
  closeAllOpenIntervals();
});

/** A hand-moved clock: no timers fire (no expiry is set here). */
function manualClock(startMs: number) {
  let now = startMs;
  return { now: () => now, advance: (ms: number) => void (now += ms) };
}

it('throwing-interval-observer-loses-no-interval-and-is-said-once', () => {
  const tracing = createTracing([]);
  const clock = manualClock(1_700_000_000_000);
  const intervals = new ComputeIntervals({
    tracer: () => tracing.tracer,
    clock,
    provider: 'daytona',
    spanName: 'daytona.sandbox',
    warn: (message) => diag.warn(message),
    observer: {
      opened() {},
      closing() {
        throw new Error('sampler broke on close');
      },
    },
  });
  const start = { parent: ROOT_CONTEXT, startMs: clock.now(), size: { vcpu: 2, memoryMib: 4096 } };
  let closed = 0;
  const warnings = warningsOf(() => {
    intervals.start('sb-1', start);
    intervals.start('sb-2', { ...start, created: true });
    clock.advance(4_500);
    // Stopped by the caller: no throw reaches it.
    intervals.end('sb-1', 'stopped');
    clock.advance(1_000);
    // Shutdown closes the rest through core's registry.
    closed = closeAllOpenIntervals();
  });
  expect(closed).toBe(1);
  expect(openIntervalCount()).toBe(0);
  const spans = tracing.exporter.spans.filter((s) => s.name === 'daytona.sandbox');
  expect(spans).toHaveLength(2);
  expect(spans.map((s) => s.attributes)).toEqual([
    {
      'agentburn.compute.sandbox_id': 'sb-1',
      'agentburn.compute.provider': 'daytona',
      'agentburn.compute.billed_seconds': 5,
      'agentburn.compute.end_reason': 'stopped',
      'agentburn.compute.vcpu': 2,
      'agentburn.compute.memory_mib': 4096,
    },
    {
      'agentburn.compute.sandbox_id': 'sb-2',
      'agentburn.compute.provider': 'daytona',
      'agentburn.compute.billed_seconds': 6,
      'agentburn.compute.end_reason': 'abandoned',
      'agentburn.compute.vcpu': 2,
      'agentburn.compute.memory_mib': 4096,
      'agentburn.compute.creations': 1,
      'agentburn.cost.estimated': true,
    },
  ]);
  expect(warnings).toEqual([
    'daytona sandbox sb-1: following its interval (usage sampling, budgets) failed as it ended (Error: sampler broke on close); the interval is still recorded, without what that adds (later failures are not reported again)',
    'daytona sandbox sb-2 was still running with no known end (shut down, or its state is unknown): its interval ends as abandoned, billed to this moment, and its cost is marked estimated (later abandoned intervals are not reported again)',
  ]);
});
