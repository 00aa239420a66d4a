/**
 * Every attribute, span and metric name of the agentburn telemetry contract,
 * written once. Users' queries and dashboards depend on these strings: change
 * one only with a migration note in the CHANGELOG.
 */

// --- Cost (CONVENTIONS §1) ---------------------------------------------------
export const ATTR_COST_USD = 'cost_usd';
export const ATTR_COST_INPUT_USD = 'agentburn.cost.input_usd';
export const ATTR_COST_OUTPUT_USD = 'agentburn.cost.output_usd';
export const ATTR_COST_CACHE_READ_USD = 'agentburn.cost.cache_read_usd';
export const ATTR_COST_CACHE_WRITE_USD = 'agentburn.cost.cache_write_usd';
export const ATTR_COST_COMPUTE_USD = 'agentburn.cost.compute_usd';
export const ATTR_COST_STATUS = 'agentburn.cost.status';
export const ATTR_COST_ESTIMATED = 'agentburn.cost.estimated';
/** Why a span is not fully priced (absent when priced). */
export const ATTR_COST_REASON = 'agentburn.cost.reason';
export const ATTR_PRICING_SOURCE = 'agentburn.pricing.source';
export const ATTR_PRICING_MODEL = 'agentburn.pricing.model';
export const ATTR_PRICING_VERSION = 'agentburn.pricing.version';
/** Opt-in mirror of `cost_usd` for backends that read their own key (Langfuse, OpenLIT). */
export const ATTR_GEN_AI_USAGE_COST = 'gen_ai.usage.cost';

export const COST_STATUS_PRICED = 'priced';
export const COST_STATUS_UNPRICED = 'unpriced';
export const COST_STATUS_PARTIAL = 'partial';
export type CostStatus = typeof COST_STATUS_PRICED | typeof COST_STATUS_UNPRICED | typeof COST_STATUS_PARTIAL;

/** No price is known for the model (LLM) or the provider's rates (sandbox). */
export const COST_REASON_MODEL_UNKNOWN = 'model_unknown';
/** The span reported no usage, or not all of it (a stream cut before its usage arrived). */
export const COST_REASON_USAGE_MISSING = 'usage_missing';
/** A usage figure or a reported cost was malformed or implausible: it was left out, never summed. */
export const COST_REASON_USAGE_INVALID = 'usage_invalid';
/** Some tokens have no price in the matched entry (e.g. output on an input-only entry). */
export const COST_REASON_PRICE_INCOMPLETE = 'price_incomplete';
export type CostReason =
  | typeof COST_REASON_MODEL_UNKNOWN
  | typeof COST_REASON_USAGE_MISSING
  | typeof COST_REASON_USAGE_INVALID
  | typeof COST_REASON_PRICE_INCOMPLETE;

export const PRICING_SOURCE_GENAI_PRICES = 'genai-prices';
export const PRICING_SOURCE_OVERRIDE = 'override';
export const PRICING_SOURCE_PROVIDER = 'provider';
export const PRICING_SOURCE_RATES = 'rates';
export type PricingSource =
  | typeof PRICING_SOURCE_GENAI_PRICES
  | typeof PRICING_SOURCE_OVERRIDE
  | typeof PRICING_SOURCE_PROVIDER
  | typeof PRICING_SOURCE_RATES;

// --- Per-trace rollup on the local root span (CONVENTIONS §2) ---------------
export const ATTR_TRACE_COST_USD = 'agentburn.trace.cost_usd';
export const ATTR_TRACE_LLM_COST_USD = 'agentburn.trace.llm_cost_usd';
export const ATTR_TRACE_COMPUTE_COST_USD = 'agentburn.trace.compute_cost_usd';
export const ATTR_TRACE_LLM_CALLS = 'agentburn.trace.llm_calls';
export const ATTR_TRACE_SANDBOX_RUNS = 'agentburn.trace.sandbox_runs';
export const ATTR_TRACE_UNPRICED_SPANS = 'agentburn.trace.unpriced_spans';
export const ATTR_TRACE_COMPLETE = 'agentburn.trace.complete';

// --- GenAI semantic conventions (CONVENTIONS §3) -----------------------------
export const ATTR_GEN_AI_OPERATION_NAME = 'gen_ai.operation.name';
export const ATTR_GEN_AI_PROVIDER_NAME = 'gen_ai.provider.name';
/** Deprecated predecessor of `gen_ai.provider.name`; still read. */
export const ATTR_GEN_AI_SYSTEM = 'gen_ai.system';
export const ATTR_GEN_AI_REQUEST_MODEL = 'gen_ai.request.model';
export const ATTR_GEN_AI_RESPONSE_MODEL = 'gen_ai.response.model';
export const ATTR_GEN_AI_RESPONSE_ID = 'gen_ai.response.id';
export const ATTR_GEN_AI_RESPONSE_FINISH_REASONS = 'gen_ai.response.finish_reasons';
export const ATTR_GEN_AI_REQUEST_MAX_TOKENS = 'gen_ai.request.max_tokens';
export const ATTR_GEN_AI_REQUEST_TEMPERATURE = 'gen_ai.request.temperature';
export const ATTR_GEN_AI_REQUEST_TOP_P = 'gen_ai.request.top_p';
export const ATTR_GEN_AI_REQUEST_STREAM = 'gen_ai.request.stream';
export const ATTR_GEN_AI_INPUT_MESSAGES = 'gen_ai.input.messages';
export const ATTR_GEN_AI_OUTPUT_MESSAGES = 'gen_ai.output.messages';
export const ATTR_GEN_AI_SYSTEM_INSTRUCTIONS = 'gen_ai.system_instructions';
export const ATTR_GEN_AI_AGENT_NAME = 'gen_ai.agent.name';
export const ATTR_SERVER_ADDRESS = 'server.address';
export const ATTR_SERVER_PORT = 'server.port';
export const ATTR_ERROR_TYPE = 'error.type';
/** The AWS request id of a call (Bedrock), from the response metadata. */
export const ATTR_AWS_REQUEST_ID = 'aws.request_id';

export const ATTR_GEN_AI_USAGE_INPUT_TOKENS = 'gen_ai.usage.input_tokens';
export const ATTR_GEN_AI_USAGE_OUTPUT_TOKENS = 'gen_ai.usage.output_tokens';
/** Deprecated names, still read. */
export const ATTR_GEN_AI_USAGE_PROMPT_TOKENS = 'gen_ai.usage.prompt_tokens';
export const ATTR_GEN_AI_USAGE_COMPLETION_TOKENS = 'gen_ai.usage.completion_tokens';
export const ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS = 'gen_ai.usage.cache_read.input_tokens';
export const ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS = 'gen_ai.usage.cache_creation.input_tokens';
/** Newer alias of `gen_ai.usage.cache_creation.input_tokens`; both are read. */
export const ATTR_GEN_AI_USAGE_CACHE_WRITE_INPUT_TOKENS = 'gen_ai.usage.cache_write.input_tokens';
export const ATTR_USAGE_CACHE_CREATION_1H_INPUT_TOKENS = 'agentburn.usage.cache_creation_1h.input_tokens';
export const ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS = 'gen_ai.usage.reasoning.output_tokens';
export const ATTR_OPENAI_REQUEST_SERVICE_TIER = 'openai.request.service_tier';
export const ATTR_OPENAI_RESPONSE_SERVICE_TIER = 'openai.response.service_tier';

export const GEN_AI_OPERATION_CHAT = 'chat';
export const GEN_AI_OPERATION_EMBEDDINGS = 'embeddings';
export const GEN_AI_OPERATION_TEXT_COMPLETION = 'text_completion';
export const GEN_AI_OPERATION_GENERATE_CONTENT = 'generate_content';
export const GEN_AI_OPERATION_INVOKE_AGENT = 'invoke_agent';
/** A token count asked of the provider (Gemini `countTokens`): free, so never priced. */
export const GEN_AI_OPERATION_COUNT_TOKENS = 'count_tokens';

export const GEN_AI_PROVIDER_OPENAI = 'openai';
export const GEN_AI_PROVIDER_ANTHROPIC = 'anthropic';
export const GEN_AI_PROVIDER_AZURE_OPENAI = 'azure.ai.openai';

/** Opt-in switch for prompt, completion, code and stdout content. */
export const ENV_CAPTURE_MESSAGE_CONTENT = 'OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT';

// --- Sandbox spans (CONVENTIONS §4) ------------------------------------------
export const SPAN_E2B_SANDBOX = 'e2b.sandbox';
export const SPAN_E2B_SANDBOX_CREATE = 'e2b.sandbox.create';
export const SPAN_E2B_SANDBOX_CONNECT = 'e2b.sandbox.connect';
export const SPAN_E2B_SANDBOX_KILL = 'e2b.sandbox.kill';
export const SPAN_E2B_SANDBOX_PAUSE = 'e2b.sandbox.pause';
export const SPAN_E2B_SANDBOX_SET_TIMEOUT = 'e2b.sandbox.set_timeout';
export const SPAN_E2B_RUN_CODE = 'e2b.run_code';
export const SPAN_E2B_COMMANDS_RUN = 'e2b.commands.run';
/** `e2b.files.<method>`, e.g. `e2b.files.write`. */
export const SPAN_E2B_FILES_PREFIX = 'e2b.files.';

export const ATTR_E2B_SANDBOX_ID = 'e2b.sandbox.id';
export const ATTR_E2B_TEMPLATE_ID = 'e2b.template.id';
export const ATTR_E2B_SANDBOX_CPU_COUNT = 'e2b.sandbox.cpu_count';
export const ATTR_E2B_SANDBOX_MEMORY_MIB = 'e2b.sandbox.memory_mib';
export const ATTR_E2B_SANDBOX_BILLED_SECONDS = 'e2b.sandbox.billed_seconds';
export const ATTR_E2B_SANDBOX_ACTIVE_SECONDS = 'e2b.sandbox.active_seconds';
export const ATTR_E2B_SANDBOX_END_REASON = 'e2b.sandbox.end_reason';
export const ATTR_E2B_RUN_CODE_LANGUAGE = 'e2b.run_code.language';
export const ATTR_E2B_EXECUTION_ERROR_NAME = 'e2b.execution.error.name';
export const ATTR_E2B_COMMAND_BACKGROUND = 'e2b.command.background';
export const ATTR_PROCESS_EXIT_CODE = 'process.exit.code';

export const SANDBOX_END_KILLED = 'killed';
export const SANDBOX_END_PAUSED = 'paused';
export const SANDBOX_END_TIMEOUT = 'timeout';
export const SANDBOX_END_ABANDONED = 'abandoned';
export const SANDBOX_END_LOST = 'lost';
/** Other providers' ends: stopped by the caller (`stop`), deleted, archived. */
export const SANDBOX_END_STOPPED = 'stopped';
export const SANDBOX_END_DELETED = 'deleted';
export const SANDBOX_END_ARCHIVED = 'archived';
export type SandboxEndReason =
  | typeof SANDBOX_END_KILLED
  | typeof SANDBOX_END_PAUSED
  | typeof SANDBOX_END_TIMEOUT
  | typeof SANDBOX_END_ABANDONED
  | typeof SANDBOX_END_LOST;
/** Span names of the running intervals and operations of Daytona and Vercel Sandbox. */
export const SPAN_DAYTONA_SANDBOX = 'daytona.sandbox';
export const SPAN_DAYTONA_PROCESS_EXECUTE = 'daytona.process.execute';
export const SPAN_DAYTONA_PROCESS_CODE_RUN = 'daytona.process.code_run';
export const SPAN_VERCEL_SANDBOX = 'vercel.sandbox';
export const SPAN_VERCEL_RUN_COMMAND = 'vercel.sandbox.run_command';

/** Generic per-second compute shape, for any sandbox provider (Daytona, Modal, ...). */
export const ATTR_COMPUTE_PROVIDER = 'agentburn.compute.provider';
export const ATTR_COMPUTE_VCPU = 'agentburn.compute.vcpu';
export const ATTR_COMPUTE_MEMORY_MIB = 'agentburn.compute.memory_mib';
export const ATTR_COMPUTE_BILLED_SECONDS = 'agentburn.compute.billed_seconds';
export const ATTR_COMPUTE_SANDBOX_ID = 'agentburn.compute.sandbox_id';
export const ATTR_COMPUTE_END_REASON = 'agentburn.compute.end_reason';
/** Parts some providers bill beyond vCPU and memory (each has a rate key of its own). */
export const ATTR_COMPUTE_DISK_GIB = 'agentburn.compute.disk_gib';
export const ATTR_COMPUTE_CREATIONS = 'agentburn.compute.creations';
/** Measured CPU time (vCPU-seconds), for providers that bill active CPU rather than allocated vCPU. */
export const ATTR_COMPUTE_ACTIVE_CPU_SECONDS = 'agentburn.compute.active_cpu_seconds';
/** Observed use, when sampling is on: CPU in vCPUs, memory in MiB. */
export const ATTR_COMPUTE_CPU_USED_AVG = 'agentburn.compute.cpu_used_avg';
export const ATTR_COMPUTE_CPU_USED_MAX = 'agentburn.compute.cpu_used_max';
export const ATTR_COMPUTE_MEMORY_USED_MAX_MIB = 'agentburn.compute.memory_used_max_mib';
export const ATTR_COMPUTE_SAMPLES = 'agentburn.compute.samples';
/** Parts of `agentburn.cost.compute_usd` (they sum to it; a zero part is omitted). */
export const ATTR_COST_COMPUTE_CPU_USD = 'agentburn.cost.compute.cpu_usd';
export const ATTR_COST_COMPUTE_MEMORY_USD = 'agentburn.cost.compute.memory_usd';
export const ATTR_COST_COMPUTE_DISK_USD = 'agentburn.cost.compute.disk_usd';
export const ATTR_COST_COMPUTE_CREATION_USD = 'agentburn.cost.compute.creation_usd';
export const COMPUTE_PROVIDER_DAYTONA = 'daytona';
export const COMPUTE_PROVIDER_VERCEL = 'vercel';
/** Seconds between samples of a sandbox's CPU and memory use; unset or 0 = off. */
export const ENV_SANDBOX_SAMPLE_SECONDS = 'AGENTBURN_SANDBOX_SAMPLE_SECONDS';

// --- Agents (CONVENTIONS §5) -------------------------------------------------
export const ATTR_AGENT_NAME = 'agentburn.agent.name';

// --- Metrics (CONVENTIONS §6) ------------------------------------------------
export const METRIC_COST_USD = 'cost_usd';
export const METRIC_GEN_AI_CLIENT_TOKEN_USAGE = 'gen_ai.client.token.usage';
export const METRIC_GEN_AI_CLIENT_OPERATION_DURATION = 'gen_ai.client.operation.duration';
export const ATTR_COST_KIND = 'agentburn.cost.kind';
export const COST_KIND_LLM = 'llm';
export const COST_KIND_COMPUTE = 'compute';
export const ATTR_GEN_AI_TOKEN_TYPE = 'gen_ai.token.type';

// --- Price overrides ---------------------------------------------------------
export const ENV_PRICES_FILE = 'AGENTBURN_PRICES_FILE';

// --- Sandbox operation details (E2B) -----------------------------------------
export const SPAN_E2B_COMMANDS_KILL = 'e2b.commands.kill';
export const SPAN_E2B_CODE_CONTEXT_CREATE = 'e2b.code_context.create';
/** Content attributes: recorded only when content capture is on. */
export const ATTR_E2B_RUN_CODE_CODE = 'e2b.run_code.code';
export const ATTR_E2B_EXECUTION_STDOUT = 'e2b.execution.stdout';
export const ATTR_E2B_EXECUTION_STDERR = 'e2b.execution.stderr';
export const ATTR_PROCESS_COMMAND_LINE = 'process.command_line';
export const ATTR_FILE_PATH = 'file.path';

// --- More `gen_ai.provider.name` values (OpenAI-compatible endpoints) --------
// Well-known GenAI semconv values where one exists; otherwise the vendor's name.
export const GEN_AI_PROVIDER_GROQ = 'groq';
export const GEN_AI_PROVIDER_DEEPSEEK = 'deepseek';
export const GEN_AI_PROVIDER_MISTRAL_AI = 'mistral_ai';
export const GEN_AI_PROVIDER_X_AI = 'x_ai';
export const GEN_AI_PROVIDER_PERPLEXITY = 'perplexity';
export const GEN_AI_PROVIDER_GCP_GEMINI = 'gcp.gemini';
export const GEN_AI_PROVIDER_OPENROUTER = 'openrouter';
export const GEN_AI_PROVIDER_TOGETHER = 'together';
export const GEN_AI_PROVIDER_FIREWORKS = 'fireworks';
export const GEN_AI_PROVIDER_AZURE_AI_INFERENCE = 'azure.ai.inference';
export const GEN_AI_PROVIDER_AWS_BEDROCK = 'aws.bedrock';
export const GEN_AI_PROVIDER_COHERE = 'cohere';
export const GEN_AI_PROVIDER_GCP_GEN_AI = 'gcp.gen_ai';
export const GEN_AI_PROVIDER_GCP_VERTEX_AI = 'gcp.vertex_ai';
export const GEN_AI_PROVIDER_IBM_WATSONX_AI = 'ibm.watsonx.ai';
/** `gen_ai.request.encoding_formats` of embeddings requests. */
export const ATTR_GEN_AI_REQUEST_ENCODING_FORMATS = 'gen_ai.request.encoding_formats';
export const ATTR_GEN_AI_OUTPUT_TYPE = 'gen_ai.output.type';

/** Terminal cost summary of `@agentburn/node`: `auto` | `always` | `never`. */
export const ENV_SUMMARY = 'AGENTBURN_SUMMARY';

// --- Processor additions -----------------------------------------------------
/**
 * Set instead of `cost_usd` on a span that reports the same call (same
 * `gen_ai.response.id` in one trace) as a span already priced, e.g. when two
 * instrumentations wrap one request. Holds the span id of the priced span.
 */
export const ATTR_COST_DUPLICATE_OF = 'agentburn.cost.duplicate_of';
export const GEN_AI_TOKEN_TYPE_INPUT = 'input';
export const GEN_AI_TOKEN_TYPE_OUTPUT = 'output';

// --- Budgets (CONVENTIONS §8) ------------------------------------------------
/** Name prefix of a budget scope's INTERNAL span: `budget {name}`. */
export const SPAN_BUDGET_PREFIX = 'budget';
export const ATTR_BUDGET_LIMIT_USD = 'agentburn.budget.limit_usd';
export const ATTR_BUDGET_SPENT_USD = 'agentburn.budget.spent_usd';
export const ATTR_BUDGET_STATUS = 'agentburn.budget.status';
/** On a refused call's span: that call's own worst case. */
export const ATTR_BUDGET_PROJECTED_USD = 'agentburn.budget.projected_usd';
/** Event attributes: the `warnAt` fraction crossed; what was refused; what the budget did; what was left. */
export const ATTR_BUDGET_THRESHOLD = 'agentburn.budget.threshold';
export const ATTR_BUDGET_REFUSED = 'agentburn.budget.refused';
export const ATTR_BUDGET_ACTION = 'agentburn.budget.action';
export const ATTR_BUDGET_REMAINING_USD = 'agentburn.budget.remaining_usd';
export const EVENT_BUDGET_WARNING = 'agentburn.budget.warning';
export const EVENT_BUDGET_EXCEEDED = 'agentburn.budget.exceeded';
export const BUDGET_STATUS_OK = 'ok';
export const BUDGET_STATUS_WARNED = 'warned';
export const BUDGET_STATUS_EXCEEDED = 'exceeded';
export type BudgetStatus = typeof BUDGET_STATUS_OK | typeof BUDGET_STATUS_WARNED | typeof BUDGET_STATUS_EXCEEDED;
/** `agentburn.budget.action` values: a spend refused or let through (`warn`), a sandbox paused or killed. */
export const BUDGET_ACTION_REFUSED = 'refused';
export const BUDGET_ACTION_ALLOWED = 'allowed';
export const BUDGET_ACTION_PAUSED = 'paused';
export const BUDGET_ACTION_KILLED = 'killed';
/** A budget per local root trace under `@agentburn/node`, in USD. */
export const ENV_BUDGET_USD = 'AGENTBURN_BUDGET_USD';
/** `code` of `BudgetExceededError`. */
export const BUDGET_EXCEEDED_CODE = 'AGENTBURN_BUDGET_EXCEEDED';
