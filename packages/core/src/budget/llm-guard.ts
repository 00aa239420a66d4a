import { type Attributes, context } from '@opentelemetry/api';
import type { SpanFinisher } from '../instrument/span-finisher';
import { roundUsd } from '../pricing/money';
import { roundParts, sumParts } from '../processor/cost-engine';
import {
  ATTR_BUDGET_PROJECTED_USD,
  ATTR_COST_REASON,
  ATTR_COST_STATUS,
  ATTR_COST_USD,
  BUDGET_ACTION_ALLOWED,
  BUDGET_ACTION_REFUSED,
  COST_REASON_USAGE_MISSING,
  COST_STATUS_PRICED,
} from '../semconv';
import type { LlmCall } from '../types';
import { readGenAi } from '../usage/genai';
import { BudgetExceededError } from './errors';
import { budgetPricers } from './pricers';
import { chatBodyAdapter, type LlmRequestAdapter, projectTokens } from './projection';
import { sayFailure, sayOnce } from './say';
import type { BudgetScope } from './scope';
import { activeBudgetScope } from './with-budget';

/** What an instrumentation tells the budget about a call it is about to send. */
export interface LlmBudgetRequest<Body> {
  /** The request body as the caller gave it; never mutated. */
  body: Body;
  /** The span's request attributes (`gen_ai.provider.name`, `gen_ai.request.model`, service tier). */
  attributes: Attributes;
  /** The span's name: what a refusal says it refused. */
  spanName: string;
  /** How to read the request: what the model reads, its output cap and how to lower it on a copy. */
  adapter?: LlmRequestAdapter<Body>;
  /**
   * Shorthand for OpenAI and Anthropic bodies, when no `adapter` is given:
   * the field of the output cap when the request sets none (`max_tokens`,
   * ...); undefined when the operation has no output (embeddings).
   */
  capField?: string | undefined;
}

/** The budget's answer: send `body` (the caller's, or a copy with a lower output cap), or return `refusal`. */
export interface LlmBudgetAdmission<Body> {
  body: Body;
  /**
   * Set when the call is refused: a rejected promise of BudgetExceededError,
   * to return instead of calling the SDK. The span has already ended.
   */
  refusal?: Promise<never>;
}

/** Clamping never lowers a cap below this: a shorter answer is rarely of use, so the call is refused instead. */
export const MIN_CLAMPED_OUTPUT_TOKENS = 64;

/**
 * The budget check the LLM instrumentations run before they send a request.
 * Undefined when no budget is active (nothing else is done then). Otherwise
 * projects the call's worst case, reserves it on every enclosing scope, and
 * settles the reservation to the call's actual cost when `finisher` ends the
 * span, or refuses the call. Never throws.
 */
export function admitLlmCall<Body>(
  finisher: SpanFinisher,
  request: LlmBudgetRequest<Body>,
): LlmBudgetAdmission<Body> | undefined {
  const scope = activeBudgetScope(context.active());
  if (scope === undefined) return undefined;
  try {
    return admit(scope, finisher, request);
  } catch (error) {
    sayFailure('the check failed, the call goes on unchecked', error);
    return undefined;
  }
}

function admit<Body>(
  scope: BudgetScope,
  finisher: SpanFinisher,
  request: LlmBudgetRequest<Body>,
): LlmBudgetAdmission<Body> {
  for (const s of scope.chain) s.spanSeen(finisher.span);
  const call = readGenAi(request.attributes);
  const model = call.requestModel;
  const adapter = request.adapter ?? (chatAdapterFor(request.capField, call.provider) as LlmRequestAdapter<Body>);
  const tokens = projectTokens({
    body: request.body,
    model,
    adapter,
    defaultMaxOutputTokens: scope.defaultMaxOutputTokens,
  });
  let body = request.body;
  let projectedUsd = priceTokens(call, tokens.inputTokens, tokens.outputTokens);
  if (projectedUsd === undefined) {
    const refuse = refusesUnprojected(scope);
    sayOnce(
      `unpriced:${call.provider ?? ''}/${model ?? ''}`,
      () =>
        `agentburn budget: no price for model ${model ?? '(none)'}; its calls are ${refuse ? 'refused' : 'let through uncounted'} (option unpricedModels)`,
    );
    if (refuse) return refuseCall(scope.chain, finisher, request, body, 0);
    settleOnEnd(scope, finisher, request.attributes, 0);
    return { body };
  }
  if (tokens.sizeUnknown) {
    // Its worst case cannot be known: the policy for what cannot be projected decides.
    const refuse = refusesUnprojected(scope);
    sayOnce(
      `size-unknown:${refuse}`,
      () =>
        'agentburn budget: a request given as a stream cannot be measured before it is sent (reading it would consume it); ' +
        `such calls are ${refuse ? 'refused' : 'let through with only their output cap projected, and count what they spend when they end'} (option unpricedModels)`,
    );
    if (refuse) return refuseCall(scope.chain, finisher, request, body, projectedUsd);
  }

  let failing = scope.chain.filter((s) => !s.fits(projectedUsd as number));
  const setCap = adapter.output?.set;
  if (failing.length > 0 && scope.clampOutput && setCap !== undefined) {
    const clamped = clampOutput(scope.chain, call, tokens.inputTokens, tokens.outputTokens);
    const clampedBody = clamped && setCap(request.body, clamped.outputTokens);
    if (clamped !== undefined && clampedBody !== request.body) {
      body = clampedBody as Body;
      projectedUsd = clamped.projectedUsd;
      failing = scope.chain.filter((s) => !s.fits(projectedUsd as number));
    }
  }
  const refusing = failing.filter((s) => s.onExceed === 'throw');
  if (refusing.length > 0) return refuseCall(refusing, finisher, request, body, projectedUsd);
  for (const s of failing) s.exceeded(request.spanName, projectedUsd, BUDGET_ACTION_ALLOWED, finisher.span);
  scope.reserve(projectedUsd);
  settleOnEnd(scope, finisher, request.attributes, projectedUsd);
  return { body };
}

/** A call the budget cannot project (no price, a size unknown) is refused when any enclosing scope says so. */
function refusesUnprojected(scope: BudgetScope): boolean {
  return scope.chain.some((s) => s.unpricedModels === 'refuse');
}

/** The OpenAI/Anthropic body adapters, one per cap field and provider (a handful), so a call allocates none. */
const chatAdapters = new Map<string, LlmRequestAdapter<unknown>>();
function chatAdapterFor(capField: string | undefined, provider: string | undefined): LlmRequestAdapter<unknown> {
  const key = `${capField ?? ''}|${provider ?? ''}`;
  let adapter = chatAdapters.get(key);
  if (adapter === undefined) {
    adapter = chatBodyAdapter(capField, provider);
    if (chatAdapters.size < 64) chatAdapters.set(key, adapter);
  }
  return adapter;
}

/** USD of `input` uncached input tokens and `output` output tokens, or undefined when the model has no price. */
function priceTokens(call: LlmCall, input: number, output: number): number | undefined {
  const usage = { ...call.usage, inputTokens: input, outputTokens: output };
  const result = budgetPricers().llm.price({ ...call, usage }, Date.now());
  return result.status === 'priced' && typeof result.totalUsd === 'number' ? result.totalUsd : undefined;
}

/** The largest output cap (at least MIN_CLAMPED_OUTPUT_TOKENS) whose worst case fits every scope, if any. */
function clampOutput(
  chain: readonly BudgetScope[],
  call: LlmCall,
  inputTokens: number,
  outputTokens: number,
): { outputTokens: number; projectedUsd: number } | undefined {
  const inputUsd = priceTokens(call, inputTokens, 0);
  const withOutputUsd = priceTokens(call, inputTokens, 1_000_000);
  if (inputUsd === undefined || withOutputUsd === undefined) return undefined;
  const perOutputToken = (withOutputUsd - inputUsd) / 1_000_000;
  const affordable = Math.min(...chain.map((s) => s.remainingUsd()));
  let fitting = perOutputToken > 0 ? Math.floor((affordable - inputUsd) / perOutputToken) : outputTokens;
  fitting = Math.min(fitting, outputTokens);
  // Price per token times tokens may round above what fits: step down until the priced figure fits.
  for (let step = 0; step < 3 && fitting >= MIN_CLAMPED_OUTPUT_TOKENS; step++) {
    const projectedUsd = priceTokens(call, inputTokens, fitting) as number;
    if (chain.every((s) => s.fits(projectedUsd))) return { outputTokens: fitting, projectedUsd };
    fitting--;
  }
  return undefined;
}

function refuseCall<Body>(
  refusing: readonly BudgetScope[],
  finisher: SpanFinisher,
  request: LlmBudgetRequest<Body>,
  body: Body,
  projectedUsd: number,
): LlmBudgetAdmission<Body> {
  const error = exceededError(refusing, request.spanName, projectedUsd);
  for (const s of refusing) s.exceeded(request.spanName, projectedUsd, BUDGET_ACTION_REFUSED, finisher.span);
  finisher.fail(error, { [ATTR_BUDGET_PROJECTED_USD]: projectedUsd });
  return { body, refusal: refusedCall(error) };
}

/** The error for the tightest of `refusing` (the least left). */
export function exceededError(
  refusing: readonly BudgetScope[],
  refused: string,
  projectedUsd: number,
): BudgetExceededError {
  let tightest = refusing[0] as BudgetScope;
  for (const s of refusing) if (s.remainingUsd() < tightest.remainingUsd()) tightest = s;
  return new BudgetExceededError({
    budgetName: tightest.name,
    limitUsd: tightest.limitUsd,
    spentUsd: tightest.spentUsd(),
    reservedUsd: tightest.reservedUsd,
    projectedUsd,
    refused,
  });
}

/**
 * A rejected promise standing for the SDK's APIPromise: the helpers callers
 * and the SDKs' own stream helpers chain on (`withResponse()`,
 * `asResponse()`, `parse()`, `_thenUnwrap()`) reject with the same error.
 */
function refusedCall(error: BudgetExceededError): Promise<never> {
  const rejected = Promise.reject(error);
  const same = () => rejected;
  return Object.assign(rejected, { withResponse: same, asResponse: same, parse: same, _thenUnwrap: same });
}

/**
 * When the span ends, the reservation becomes what the call spent. A scope
 * with a span settles after the call's span ended, from the cost the
 * CostSpanProcessor wrote on it. A per-trace budget has no span: it settles
 * as the call's span is about to end, from the same pricer, so the
 * thresholds it crosses are recorded as events on that span.
 */
function settleOnEnd(scope: BudgetScope, finisher: SpanFinisher, requestAttributes: Attributes, reservedUsd: number) {
  // Billed though unreported: ended without error, or failed once its response had begun (a stream cut partway).
  const billed = (error: unknown) => error === undefined || finisher.responseStarted;
  if (scope.span === undefined) {
    finisher.beforeEnd((attributes, error) => {
      const spent = spentBy(undefined, requestAttributes, attributes, billed(error), reservedUsd);
      scope.settle(reservedUsd, spent, finisher.span);
    });
    return;
  }
  finisher.whenEnded((attributes, error) => {
    const written = (finisher.span as { attributes?: Attributes }).attributes;
    scope.settle(reservedUsd, spentBy(written, requestAttributes, attributes, billed(error), reservedUsd));
  });
}

/**
 * What the call spent: the figure the CostSpanProcessor wrote on the span
 * (`written`), when it did; else the same pricer applied to the same
 * attributes (a non-recording span, a pipeline without the processor, or a
 * span not yet ended).
 *
 * A call that failed before its response began spent nothing (an HTTP
 * error is not billed). A call that ended without its usage, without an
 * error (a response nobody read, `asResponse()`, a stream left before its
 * final figures) or failing after its response began (a stream cut partway),
 * was sent and is billed, by an amount nobody reported (`billed`): it keeps
 * its projection, the worst case, rather than counting as free.
 */
function spentBy(
  written: Attributes | undefined,
  requestAttributes: Attributes,
  resultAttributes: Attributes,
  billed: boolean,
  projectedUsd: number,
): number {
  const unreported = billed ? projectedUsd : 0;
  if (written !== undefined && written[ATTR_COST_STATUS] !== undefined) {
    const cost = written[ATTR_COST_USD];
    const usd = typeof cost === 'number' && Number.isFinite(cost) ? cost : 0;
    if (written[ATTR_COST_STATUS] === COST_STATUS_PRICED) return usd;
    return written[ATTR_COST_REASON] === COST_REASON_USAGE_MISSING ? Math.max(usd, unreported) : usd;
  }
  const call = readGenAi({ ...requestAttributes, ...resultAttributes });
  if (call.usage.inputTokens === 0 && call.usage.outputTokens === 0) return unreported;
  const usd = pricedUsd(call);
  return call.outputMissing === true ? Math.max(usd, unreported) : usd;
}

/** The call's cost as the CostSpanProcessor writes it (the rounded sum of the rounded parts); 0 without a price. */
function pricedUsd(call: LlmCall): number {
  const result = budgetPricers().llm.price(call, Date.now());
  if (typeof result.totalUsd !== 'number' || !Number.isFinite(result.totalUsd)) return 0;
  return roundUsd(result.breakdown === undefined ? result.totalUsd : sumParts(roundParts(result.breakdown)));
}
