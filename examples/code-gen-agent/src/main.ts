/**
 * code-gen-agent: asks a model for code and tests, runs them in an E2B
 * sandbox, feeds failures back until the tests pass, then prints what the
 * task cost: LLM tokens and sandbox compute, from the spans agentburn priced.
 *
 *   node dist/main.cjs [--max-iterations N] [--provider openai|anthropic] [--model NAME] [--budget USD]
 *
 * With E2B_API_KEY and OPENAI_API_KEY (or ANTHROPIC_API_KEY) it uses the real
 * services; without them, local simulated ones (see simulated.ts).
 */
import { relative } from 'node:path';
import { parseArgs } from 'node:util';
import { COST_STATUS_UNPRICED, quoteLlmPrice, withAgent, withBudget } from '@agentburn/core';
import { AnthropicInstrumentation } from '@agentburn/instrumentation-anthropic';
import { E2BInstrumentation } from '@agentburn/instrumentation-e2b';
import { OpenAIInstrumentation } from '@agentburn/instrumentation-openai';
import { register } from '@agentburn/node';
import { BillCollector, formatBill } from './bill';
import { DEFAULT_MODELS, type Provider } from './models';
import { TASK } from './script';
import { SAMPLE_SECONDS, type SimulatedServices, startSimulatedServices } from './simulated';

const AGENT = 'code-gen-agent';

/** True when the price data knows `model` under `provider`. */
const priced = (provider: Provider, model: string) =>
  quoteLlmPrice(model, { input: 1, output: 1 }, { provider }).status !== COST_STATUS_UNPRICED;

/**
 * The provider: as asked; else the one whose prices know `--model`; else the
 * one whose key is set. Real services only when every key they need is
 * present; otherwise all simulated.
 */
function chooseProvider(
  requested: string | undefined,
  model: string | undefined,
): { provider: Provider; simulated: boolean; missing: string[] } {
  const env = process.env;
  const provider: Provider =
    requested === 'anthropic' ||
    (requested === undefined && model !== undefined && !priced('openai', model) && priced('anthropic', model)) ||
    (requested === undefined && model === undefined && !env.OPENAI_API_KEY && env.ANTHROPIC_API_KEY)
      ? 'anthropic'
      : 'openai';
  const keys = [provider === 'openai' ? 'OPENAI_API_KEY' : 'ANTHROPIC_API_KEY', 'E2B_API_KEY'];
  const missing = keys.filter((k) => !env[k]);
  return { provider, simulated: missing.length > 0, missing };
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      'max-iterations': { type: 'string', default: '5' },
      provider: { type: 'string' },
      model: { type: 'string' },
      budget: { type: 'string' },
    },
  });
  const budgetUsd = values.budget === undefined ? undefined : Number(values.budget);
  if (budgetUsd !== undefined && !(Number.isFinite(budgetUsd) && budgetUsd > 0)) {
    throw new Error('--budget must be a positive number of USD');
  }
  const maxIterations = Number(values['max-iterations']);
  if (!Number.isInteger(maxIterations) || maxIterations < 1) {
    throw new Error('--max-iterations must be a positive integer');
  }
  if (values.provider !== undefined && values.provider !== 'openai' && values.provider !== 'anthropic') {
    throw new Error('--provider must be openai or anthropic');
  }
  const { provider, simulated, missing } = chooseProvider(values.provider, values.model);
  const modelName = values.model ?? DEFAULT_MODELS[provider];
  if (!priced(provider, modelName)) {
    const problem = `--model ${modelName}: no price known for this ${provider} model, so its calls would be unpriced`;
    // Simulated services answer as any model: a bill with no price would show nothing.
    if (simulated) throw new Error(`${problem}; try ${DEFAULT_MODELS[provider]}`);
    process.stderr.write(`${AGENT}: note: ${problem}\n`);
  }

  let sim: SimulatedServices | undefined;
  if (simulated) sim = await startSimulatedServices(provider);

  // Tracing first: the CostSpanProcessor prices every span, the BillCollector
  // after it reads the priced spans. In simulated mode the E2B instrumentation
  // shares the simulated clock, so billed seconds and usage samples follow
  // simulated time.
  const bill = new BillCollector(AGENT);
  const agentburn = register({
    serviceName: AGENT,
    instrumentations: [
      new OpenAIInstrumentation(),
      new AnthropicInstrumentation(),
      // Simulated: the sandbox's use sampled every 5 simulated seconds. Real: as AGENTBURN_SANDBOX_SAMPLE_SECONDS says.
      new E2BInstrumentation(sim ? { clock: sim.clock, sampleUsageEverySeconds: SAMPLE_SECONDS } : {}),
    ],
    spanProcessors: [bill],
  });

  // Loaded only now, so the SDKs they require are patched as they load. In
  // your own app, `node --import @agentburn/node/register app.js` does this
  // for every import.
  const { runCodeGenAgent } = await import('./agent');
  const { createModel } = await import('./llm');

  const log = (line: string) => process.stdout.write(`${line}\n`);
  log(`${AGENT}: write, run, fix until the tests pass (at most ${maxIterations} iterations)`);
  log(
    sim
      ? `services: simulated (local ${provider === 'anthropic' ? 'Anthropic' : 'OpenAI'} and E2B fakes on 127.0.0.1, simulated clock; ${missing.join(' and ')} not set)`
      : `services: ${provider} (${modelName}) and E2B`,
  );
  log(`task: ${TASK}`);
  log('');

  let result: Awaited<ReturnType<typeof runCodeGenAgent>> | undefined;
  try {
    const model = createModel(provider, modelName, sim?.llm);
    const run = () =>
      runCodeGenAgent({
        model,
        task: TASK,
        maxIterations,
        sandbox: sim?.sandbox,
        runTimeoutMs: 60_000,
        sandboxTimeoutMs: 10 * 60_000,
        log,
      });
    // Under --budget, a call whose worst case would cross the limit is refused before it is sent.
    result = await withAgent(AGENT, () =>
      budgetUsd === undefined ? run() : withBudget({ limitUsd: budgetUsd, name: AGENT }, run),
    );
  } finally {
    // Ends any sandbox interval still open and flushes every exporter.
    await agentburn.shutdown();
    await sim?.close();
  }

  log('');
  log(
    result.passed
      ? `tests pass after ${result.iterations} iterations`
      : result.stoppedByBudget !== undefined
        ? `stopped by the $${budgetUsd} budget after ${result.iterations} iteration${result.iterations === 1 ? '' : 's'}`
        : `tests still fail after ${result.iterations} iterations`,
  );
  log('');
  for (const line of formatBill(bill.bill, result.iterations, sim !== undefined)) log(line);
  if (agentburn.tracesFile) {
    log('');
    log(`traces: ${relative(process.cwd(), agentburn.tracesFile)}`);
    log('  the bill per trace, agent and model:  npx agentburn report');
    log('  as a page with a waterfall per trace: npx agentburn report --html report.html');
  }
  // A stop by --budget is the guard doing its job, not a failure of the demo.
  return result.passed || result.stoppedByBudget !== undefined ? 0 : 1;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`${AGENT}: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
