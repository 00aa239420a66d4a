import {
  ATTR_COST_USD,
  ATTR_E2B_SANDBOX_BILLED_SECONDS,
  ATTR_E2B_SANDBOX_END_REASON,
  ATTR_ERROR_TYPE,
  BudgetExceededError,
  currentBudget,
  EVENT_BUDGET_WARNING,
  setTraceBudget,
  withBudget,
} from '@agentburn/core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type FakeE2B, type FakeSandboxState, startFakeE2B } from '../../../test/fakes/e2b-server';
import { budgetSpan, budgetStory } from '../../../test/helpers/budget';
import { requireSdk, setupTracing, usdPerSecond } from './harness';

const tracing = setupTracing();
const { clock, instrumentation, tracer } = tracing;
const { Sandbox } = requireSdk().ci;

// code-interpreter-v1 is 2 vCPU / 2048 MiB: 2 x 0.000014 + 2 x 0.0000045 = $0.000037 per second.
// Under a $0.001 limit, 27 s accrue 0.000999 (under), 28 s accrue 0.001036 (over).
const RATE = usdPerSecond(2, 2048);
const LIMIT = 0.001;

let fake: FakeE2B;
let conn: { apiUrl: string; sandboxUrl: string; apiKey: string };
beforeAll(async () => {
  fake = await startFakeE2B({ now: () => clock.now() });
  conn = fake.connection;
});
afterEach(async () => {
  await instrumentation.settled();
  instrumentation._intervals.abandonAll();
  fake.reset();
  tracing.exporter.reset();
});
afterAll(async () => {
  await fake.close();
});

/** Waits (bounded) until the fake sandbox reaches `state` and its interval span ended: a budget stops it in the background. */
async function stopped(id: string, state: FakeSandboxState): Promise<void> {
  for (let i = 0; i < 10_000 && (fake.sandboxes.get(id)?.state !== state || tracing.intervals().length === 0); i++) {
    await new Promise((resolve) => setImmediate(resolve));
  }
  expect(fake.sandboxes.get(id)?.state).toBe(state);
}

describe('sandboxes under a budget', () => {
  for (const [action, state, reason] of [
    ['kill', 'killed', 'killed'],
    ['pause', 'paused', 'paused'],
  ] as const) {
    it(`running-sandbox-crossing-the-limit-is-${state}-on-the-check-timer`, async () => {
      let spentAfter: number | undefined;
      await withBudget({ limitUsd: LIMIT, sandboxes: action, tracer }, async () => {
        const sbx = await Sandbox.create({ ...conn });
        await instrumentation.settled();
        clock.advanceSeconds(27);
        expect(fake.sandboxes.get(sbx.sandboxId)?.state).toBe('running');
        expect(currentBudget()?.spentUsd).toBeCloseTo(27 * RATE, 15);
        // The check at 28 s sees 0.001036 >= 0.001 and stops the sandbox through the SDK.
        clock.advanceSeconds(1);
        await stopped(sbx.sandboxId, state);
        spentAfter = currentBudget()?.spentUsd;
      });
      const [interval] = tracing.intervals();
      expect(interval?.attributes[ATTR_E2B_SANDBOX_END_REASON]).toBe(reason);
      expect(interval?.attributes[ATTR_E2B_SANDBOX_BILLED_SECONDS]).toBe(28);
      expect(interval?.attributes[ATTR_COST_USD]).toBeCloseTo(28 * RATE, 15);
      // The live accrual settled to the interval's priced cost.
      expect(spentAfter).toBe(interval?.attributes[ATTR_COST_USD]);
      expect(budgetStory(budgetSpan(tracing.spans()))).toEqual({
        status: 'exceeded',
        exceeded: [reason],
        warnings: [0.8],
      });
    });
  }

  it('keep-leaves-the-sandbox-running-and-refuses-its-next-operations', async () => {
    await withBudget({ limitUsd: LIMIT, tracer }, async () => {
      const sbx = await Sandbox.create({ ...conn });
      await instrumentation.settled();
      fake.controls.nextExecution({ result: '2' });
      expect((await sbx.runCode('1+1')).text).toBe('2');
      clock.advanceSeconds(30);
      await expect(sbx.runCode('1+1')).rejects.toBeInstanceOf(BudgetExceededError);
      await expect(sbx.commands.run('ls')).rejects.toBeInstanceOf(BudgetExceededError);
      await expect(Sandbox.create({ ...conn })).rejects.toBeInstanceOf(BudgetExceededError);
      expect(fake.sandboxes.get(sbx.sandboxId)?.state).toBe('running');
    });
    expect(fake.executions).toHaveLength(1);
    expect(fake.commands).toHaveLength(0);
    expect(fake.sandboxes.size).toBe(1);
    const refused = tracing.spans().filter((s) => s.attributes[ATTR_ERROR_TYPE] === 'BudgetExceededError');
    expect(refused.map((s) => s.name)).toEqual(['e2b.run_code', 'e2b.commands.run', 'e2b.sandbox.create']);
    expect(budgetStory(budgetSpan(tracing.spans())).exceeded).toEqual(['refused', 'refused', 'refused']);
  });

  it('sandbox-operations-outside-a-budget-are-untouched', async () => {
    const sbx = await Sandbox.create({ ...conn });
    await instrumentation.settled();
    clock.advanceSeconds(200);
    fake.controls.nextExecution({ result: '2' });
    await expect(sbx.runCode('1+1')).resolves.toMatchObject({ text: '2' });
    expect(fake.sandboxes.get(sbx.sandboxId)?.state).toBe('running');
  });
});

describe('a per-trace budget, which has no span of its own', () => {
  afterEach(() => setTraceBudget(undefined));

  it('warning-crossed-by-sandbox-compute-on-the-timer-lands-on-the-next-operation-span', async () => {
    setTraceBudget({ limitUsd: LIMIT });
    await tracer.startActiveSpan('task', async (root) => {
      const sbx = await Sandbox.create({ ...conn });
      await instrumentation.settled();
      // 22 s accrue 0.000814 >= 0.8 x 0.001: the check timer crosses the warning with no call at hand.
      clock.advanceSeconds(22);
      fake.controls.nextExecution({ result: '2' });
      expect((await sbx.runCode('1+1')).text).toBe('2');
      await sbx.kill();
      root.end();
    });
    const [runCode] = tracing.spans('e2b.run_code');
    const warnings = runCode?.events.filter((e) => e.name === EVENT_BUDGET_WARNING) ?? [];
    expect(warnings.map((e) => e.attributes?.['agentburn.budget.threshold'])).toEqual([0.8]);
    expect(warnings[0]?.attributes?.['agentburn.budget.spent_usd']).toBeCloseTo(22 * RATE, 15);
  });
});
