#!/usr/bin/env bash
# The packages as a user gets them from npm: build, `npm pack` every
# publishable package, install the tarballs into a fresh app outside the
# repository (with the SDKs from the registry), then run that app with
# `--import` / `--require @agentburn/node/register` against the local fakes,
# run the `agentburn` bin, load every entry point from CommonJS and ESM, and
# type-check an importer under `node16` and `bundler` resolution.
#
# Catches what the workspace hides: files missing from `files`, wrong
# `exports` / `types` / `bin` paths, runtime imports declared only as
# devDependencies (or not at all), a broken dual ESM/CJS build.
#
#   bash scripts/test-packed.sh          (AGENTBURN_PACKED_KEEP=1 keeps the scratch dir)
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
PACKAGES=(core instrumentation-openai instrumentation-anthropic instrumentation-e2b instrumentation-google-genai instrumentation-bedrock instrumentation-daytona instrumentation-vercel-sandbox node cli)
SDKS=(openai@6 @anthropic-ai/sdk@1 @e2b/code-interpreter@2 @opentelemetry/api@1.9 @types/node@20)

KEEP="${AGENTBURN_PACKED_KEEP:-}"
# The apps see only what this script gives them.
for name in $(compgen -e); do
  case "$name" in OTEL_* | AGENTBURN_* | NODE_OPTIONS | OPENAI_* | ANTHROPIC_* | E2B_*) unset "$name" ;; esac
done

WORK="$(mktemp -d "${TMPDIR:-/tmp}/agentburn-packed.XXXX")"
PIDS=()
cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  if [[ "$KEEP" == 1 ]]; then
    echo "test-packed: scratch dir kept: $WORK" >&2
  else
    rm -rf "$WORK"
  fi
}
trap cleanup EXIT

PASSED=0
fail() {
  echo "test-packed: FAIL: $*" >&2
  exit 1
}
pass() {
  PASSED=$((PASSED + 1))
  echo "ok $PASSED - $1"
}
# run <log> <command...>: runs quietly, shows the log when the command fails.
run() {
  local log="$1"
  shift
  if ! "$@" >"$log" 2>&1; then
    cat "$log" >&2
    return 1
  fi
}

APP="$WORK/app"
mkdir -p "$WORK/tarballs" "$APP"

# --- 1. build and pack ---------------------------------------------------------
echo "test-packed: building"
(cd "$ROOT" && run "$WORK/build.log" npm run build) || fail "npm run build failed"

echo "test-packed: packing (scripts/pack-local.mjs, the README's install-from-a-clone path)"
(cd "$ROOT" && run "$WORK/pack.log" node scripts/pack-local.mjs "$WORK/tarballs") || fail "pack-local failed"
shopt -s nullglob
TARBALLS=("$WORK"/tarballs/*.tgz)
shopt -u nullglob
[[ ${#TARBALLS[@]} -eq ${#PACKAGES[@]} ]] ||
  fail "expected ${#PACKAGES[@]} tarballs, got ${#TARBALLS[@]}: ${TARBALLS[*]}"
pass "npm pack produced ${#TARBALLS[@]} tarballs"

# --- 2. install into a fresh app -------------------------------------------------
echo "test-packed: installing the tarballs and ${SDKS[*]}"
cat >"$APP/package.json" <<'EOF'
{ "name": "agentburn-packed-app", "version": "0.0.0", "private": true }
EOF
(cd "$APP" && run "$WORK/install.log" npm install --no-audit --no-fund --prefer-offline "${TARBALLS[@]}" "${SDKS[@]}") ||
  fail "npm install of the tarballs failed (a dependency range that cannot be installed?)"
pass "tarballs install together with openai@6, @anthropic-ai/sdk@1, @e2b/code-interpreter@2, @opentelemetry/api@1.9"

# Manifest and contents, read from the installed packages.
cat >"$WORK/check-manifests.mjs" <<'EOF'
// For every installed @agentburn package: the version is shared and pinned
// between them, every path the manifest names exists, nothing is left for
// `npm publish` to auto-correct, the bin has a hashbang,
// no sources or tests were shipped, and every bare import of the built files
// is declared in dependencies or peerDependencies (not only devDependencies,
// where a user never gets it).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';

const [appDir, ...names] = process.argv.slice(2);
const problems = [];
const manifests = names.map((name) => {
  const dir = join(appDir, 'node_modules', '@agentburn', name);
  return { dir, pkg: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) };
});
const version = manifests[0].pkg.version;

const targets = (value) =>
  typeof value === 'string' ? [value] : value && typeof value === 'object' ? Object.values(value).flatMap(targets) : [];
const packageOf = (specifier) => specifier.split('/').slice(0, specifier.startsWith('@') ? 2 : 1).join('/');
const builtin = (specifier) => specifier.startsWith('node:') || builtinModules.includes(specifier.split('/')[0]);
const IMPORT = /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|^\s*import\s+)(["'])([@\w][\w@./-]*)\1/gm;

for (const { dir, pkg } of manifests) {
  const where = pkg.name;
  if (pkg.version !== version) problems.push(`${where}: version ${pkg.version}, others ${version}`);
  for (const [dep, range] of Object.entries(pkg.dependencies ?? {})) {
    if (dep.startsWith('@agentburn/') && range !== version) problems.push(`${where}: ${dep}@${range}, expected ${version}`);
  }
  if (pkg.exports?.['./package.json'] === undefined) problems.push(`${where}: "./package.json" not exported`);
  const bins = typeof pkg.bin === 'string' ? [pkg.bin] : Object.values(pkg.bin ?? {});
  for (const path of [pkg.main, pkg.module, pkg.types, ...bins, ...targets(pkg.exports)]) {
    if (path !== undefined && !existsSync(join(dir, path))) problems.push(`${where}: ${path} is not in the package`);
  }
  // What `npm publish` would otherwise rewrite, with a warning, at the worst moment.
  for (const bin of bins) if (bin.startsWith('./')) problems.push(`${where}: bin ${bin}: write it without "./"`);
  if (pkg.repository?.url && !pkg.repository.url.startsWith('git+')) {
    problems.push(`${where}: repository.url ${pkg.repository.url}: write it as git+${pkg.repository.url}`);
  }
  for (const bin of bins) {
    if (existsSync(join(dir, bin)) && !readFileSync(join(dir, bin), 'utf8').startsWith('#!/usr/bin/env node\n')) {
      problems.push(`${where}: bin ${bin} has no "#!/usr/bin/env node" line`);
    }
  }
  for (const shipped of ['src', 'test', 'tsconfig.json', 'tsup.config.ts']) {
    if (existsSync(join(dir, shipped))) problems.push(`${where}: ships ${shipped}`);
  }
  if (!existsSync(join(dir, 'README.md'))) problems.push(`${where}: no README.md`);
  const declared = new Set([pkg.name, ...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.peerDependencies ?? {})]);
  for (const file of readdirSync(join(dir, 'dist'), { recursive: true })) {
    if (!/\.(c|m)?js$|\.d\.(c|m)?ts$/.test(file)) continue;
    const text = readFileSync(join(dir, 'dist', file), 'utf8');
    for (const [, , specifier] of text.matchAll(IMPORT)) {
      if (!builtin(specifier) && !declared.has(packageOf(specifier))) {
        problems.push(`${where}: dist/${file} imports ${specifier}, which is not a dependency or peerDependency`);
      }
    }
  }
}
if (problems.length > 0) {
  console.error(problems.join('\n'));
  process.exit(1);
}
EOF
run "$WORK/manifests.log" node "$WORK/check-manifests.mjs" "$APP" "${PACKAGES[@]}" ||
  fail "package manifests or contents are wrong (see above)"
pass "manifests: paths exist, versions aligned, publish-clean, bin has a hashbang, every dist import is a declared dependency"

# --- 3. fakes, receiver and apps -------------------------------------------------
# The fakes are the repository's TypeScript servers, bundled to plain JS with
# the repository's esbuild. They print their env on one line when listening.
cat >"$WORK/fakes.ts" <<'EOF'
import { startAnthropicServer } from './test/fakes/anthropic-server';
import { FAKE_E2B_API_KEY, startFakeE2B } from './test/fakes/e2b-server';
import { startOpenAIServer } from './test/fakes/openai-server';

const openai = await startOpenAIServer();
openai.defaults.chatUsage = { prompt_tokens: 1000, completion_tokens: 500, total_tokens: 1500 };
const anthropic = await startAnthropicServer();
anthropic.defaults.usage = { input_tokens: 1000, output_tokens: 200, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 };
const e2b = await startFakeE2B();
const env = {
  OPENAI_BASE_URL: openai.url,
  OPENAI_API_KEY: 'sk-packed-fake',
  ANTHROPIC_BASE_URL: anthropic.url,
  ANTHROPIC_API_KEY: 'sk-ant-packed-fake',
  E2B_API_URL: e2b.apiUrl,
  E2B_SANDBOX_URL: e2b.sandboxUrl,
  E2B_API_KEY: FAKE_E2B_API_KEY,
};
process.stdout.write(`${Object.entries(env).map(([k, v]) => `${k}=${v}`).join(' ')}\n`);
process.on('SIGTERM', () => {
  void Promise.all([openai.close(), anthropic.close(), e2b.close()]).then(() => process.exit(0));
});
EOF
# (From stdin, so its imports resolve against the repository root.)
(cd "$ROOT" && run "$WORK/esbuild.log" node_modules/.bin/esbuild --bundle --sourcefile=fakes.ts --loader=ts \
  --platform=node --format=esm --target=node20 --outfile="$WORK/fakes.mjs" --log-level=warning <"$WORK/fakes.ts") ||
  fail "bundling test/fakes failed"

# A tiny OTLP/HTTP receiver: every request body (JSON) as one line of a file.
cat >"$WORK/receiver.mjs" <<'EOF'
import { appendFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { gunzipSync } from 'node:zlib';

const out = process.argv[2];
const server = createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    let body = Buffer.concat(chunks);
    if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
    const contentType = String(req.headers['content-type'] ?? '');
    appendFileSync(out, `${JSON.stringify({ path: req.url, contentType, body: body.toString('utf8') })}\n`);
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  });
});
server.listen(0, '127.0.0.1', () => process.stdout.write(`http://127.0.0.1:${server.address().port}\n`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
EOF

# start_server <var> <log> <command...>: starts a server whose first stdout line
# says where it listens; stores that line in <var>.
start_server() {
  local var="$1" log="$2" fd line
  shift 2
  exec {fd}< <(exec "$@" 2>"$log")
  PIDS+=("$!")
  if ! read -r -t 30 -u "$fd" line; then
    cat "$log" >&2
    fail "server did not start: $*"
  fi
  printf -v "$var" '%s' "$line"
}

start_server FAKES_ENV "$WORK/fakes.log" node "$WORK/fakes.mjs"
# shellcheck disable=SC2163,SC2086 # KEY=VALUE words without spaces, from the fakes
export $FAKES_ENV

# Prices from an override file, so every figure below is independent of the catalogue.
cat >"$WORK/prices.json" <<'EOF'
{
  "packed-gpt": { "input_mtok": 1, "output_mtok": 2 },
  "packed-claude": { "input_mtok": 3, "output_mtok": 15 }
}
EOF
export AGENTBURN_PRICES_FILE="$WORK/prices.json"
# packed-gpt:    1000 in x $1/Mtok + 500 out x $2/Mtok  = 0.001 + 0.001 = $0.002
# packed-claude: 1000 in x $3/Mtok + 200 out x $15/Mtok = 0.003 + 0.003 = $0.006
# sandbox (code-interpreter-v1: 2 vCPU, 2048 MiB), one billed second:
#                1 x (2 x 0.000014 + 2 x 0.0000045) = 0.000028 + 0.000009 = $0.000037
# trace:         0.002 + 0.006 + 0.000037 = $0.008037 (LLM $0.008, compute $0.000037)

# One agent run under one root span: a chat call, a messages call, code in a
# sandbox, then kill. Prints the trace id and how long the sandbox lived, as
# seen from outside (an upper bound of what was billed).
write_app() {
  local file="$1" prelude="$2"
  {
    printf '%s\n' "$prelude"
    cat <<'EOF'
async function agentRun() {
  const tracer = trace.getTracer('packed-app');
  return tracer.startActiveSpan('agent-run', async (root) => {
    try {
      const openai = new OpenAI({ maxRetries: 0 });
      const chat = await openai.chat.completions.create({
        model: 'packed-gpt',
        messages: [{ role: 'user', content: 'Write a function.' }],
      });
      const anthropic = new Anthropic({ maxRetries: 0 });
      const message = await anthropic.messages.create({
        model: 'packed-claude',
        max_tokens: 256,
        messages: [{ role: 'user', content: 'Review it.' }],
      });
      const started = performance.now();
      const sandbox = await Sandbox.create();
      const execution = await sandbox.runCode('print(1 + 1)');
      await sandbox.kill();
      const sandboxMs = Math.ceil(performance.now() - started);
      if (chat.usage?.prompt_tokens !== 1000 || message.usage.input_tokens !== 1000 || execution.error) {
        throw new Error('the SDKs did not return what the fakes sent');
      }
      process.stdout.write(`trace ${root.spanContext().traceId}\nsandbox-ms ${sandboxMs}\n`);
    } finally {
      root.end();
    }
  });
}
EOF
  } >"$APP/$file"
}
write_app app.mjs "// Started as \`node --import @agentburn/node/register app.mjs\`.
import Anthropic from '@anthropic-ai/sdk';
import { Sandbox } from '@e2b/code-interpreter';
import { trace } from '@opentelemetry/api';
import OpenAI from 'openai';

await agentRun();"
write_app app.cjs "// Started as \`node --require @agentburn/node/register app.cjs\`.
const { default: Anthropic } = require('@anthropic-ai/sdk');
const { Sandbox } = require('@e2b/code-interpreter');
const { trace } = require('@opentelemetry/api');
const { default: OpenAI } = require('openai');

agentRun().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});"

# The one-second bill is exact only when the sandbox lived under a second. A
# busy machine can stretch it: the run is repeated (at most 3 times) rather
# than compared with a wrong figure.
sandbox_under_a_second() {
  local ms
  ms="$(sed -n 's/^sandbox-ms //p' "$1")"
  [[ -n "$ms" ]] || fail "$2: the app printed no sandbox time"
  if ((ms >= 1000)); then
    echo "test-packed: $2: the sandbox lived ${ms} ms (the figures assume one billed second); running it again"
    return 1
  fi
}

# ESM app, no OTLP endpoint: the per-trace summary line is the output.
echo "test-packed: ESM app with --import"
for attempt in 1 2 3; do
  set +e
  (cd "$APP" && timeout 60 node --import @agentburn/node/register app.mjs >"$WORK/esm.out" 2>"$WORK/esm.err")
  code=$?
  set -e
  if [[ $code -ne 0 ]]; then
    cat "$WORK/esm.out" "$WORK/esm.err" >&2
    fail "ESM app exited with $code, expected 0"
  fi
  if sandbox_under_a_second "$WORK/esm.out" "ESM app"; then break; fi
  ((attempt < 3)) || fail "ESM app: the sandbox never lived under a second in 3 runs"
done
trace_id="$(sed -n 's/^trace \([0-9a-f]\{32\}\)$/\1/p' "$WORK/esm.out")"
[[ -n "$trace_id" && "$trace_id" != 00000000000000000000000000000000 ]] ||
  fail "ESM app: no recorded trace id on stdout (was the SDK started?)"
expected="agentburn  trace ${trace_id:0:8}  \$0.00804  (LLM \$0.0080 · compute \$0.000037)  2 LLM calls · 1 sandbox run"
if ! grep -qxF -- "$expected" "$WORK/esm.err"; then
  echo "--- stderr:" >&2
  cat "$WORK/esm.err" >&2
  fail "ESM app: stderr lacks the line: $expected"
fi
pass "node --import @agentburn/node/register app.mjs: openai, anthropic and e2b priced, summary line exact, exit 0"

# CJS app, OTLP/HTTP to the local receiver.
echo "test-packed: CJS app with --require"
start_server RECEIVER_URL "$WORK/receiver.log" node "$WORK/receiver.mjs" "$WORK/otlp.jsonl"
for attempt in 1 2 3; do
  : >"$WORK/otlp.jsonl" # the receiver appends; each run is checked on its own
  set +e
  (cd "$APP" && OTEL_EXPORTER_OTLP_ENDPOINT="$RECEIVER_URL" OTEL_EXPORTER_OTLP_PROTOCOL=http/json OTEL_SERVICE_NAME=packed-cjs \
    timeout 60 node --require @agentburn/node/register app.cjs >"$WORK/cjs.out" 2>"$WORK/cjs.err")
  code=$?
  set -e
  if [[ $code -ne 0 ]]; then
    cat "$WORK/cjs.out" "$WORK/cjs.err" >&2
    fail "CJS app exited with $code, expected 0"
  fi
  if sandbox_under_a_second "$WORK/cjs.out" "CJS app"; then break; fi
  ((attempt < 3)) || fail "CJS app: the sandbox never lived under a second in 3 runs"
done
if grep -q 'agentburn  trace' "$WORK/cjs.err"; then fail "CJS app: summary line printed although spans are exported"; fi
cat >"$WORK/check-otlp.mjs" <<'EOF'
// Flattens the OTLP/JSON trace requests and checks the costs, computed by hand above.
import { readFileSync } from 'node:fs';

const [file, traceId] = process.argv.slice(2);
const requests = readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
const value = (v) => v.doubleValue ?? (v.intValue !== undefined ? Number(v.intValue) : (v.stringValue ?? v.boolValue));
const spans = [];
for (const request of requests.filter((r) => r.path === '/v1/traces')) {
  if (!request.contentType.includes('json')) throw new Error(`traces sent as ${request.contentType}, expected JSON`);
  for (const rs of JSON.parse(request.body).resourceSpans ?? []) {
    const resource = Object.fromEntries((rs.resource?.attributes ?? []).map((a) => [a.key, value(a.value)]));
    for (const ss of rs.scopeSpans ?? []) {
      for (const s of ss.spans ?? []) {
        spans.push({ ...s, resource, attrs: Object.fromEntries((s.attributes ?? []).map((a) => [a.key, value(a.value)])) });
      }
    }
  }
}
const problems = [];
const near = (actual, expected, what) => {
  if (typeof actual !== 'number' || Math.abs(actual - expected) > 1e-12) problems.push(`${what}: ${actual}, expected ${expected}`);
};
const one = (what, match) => {
  const found = spans.filter(match);
  if (found.length !== 1) problems.push(`${found.length} spans of ${what}, expected 1`);
  return found[0] ?? { attrs: {} };
};
const named = (name) => one(`name "${name}"`, (s) => s.name === name);
// An LLM call by its model: the SDK's own span (anthropic.messages.create) or ours, never both.
const model = (name) => one(`model ${name}`, (s) => s.attrs['gen_ai.request.model'] === name);
const root = named('agent-run');
near(model('packed-gpt').attrs.cost_usd, 0.002, 'packed-gpt call cost_usd');
near(model('packed-claude').attrs.cost_usd, 0.006, 'packed-claude call cost_usd');
near(named('e2b.sandbox').attrs.cost_usd, 0.000037, 'e2b.sandbox cost_usd');
near(root.attrs['agentburn.trace.cost_usd'], 0.008037, 'root agentburn.trace.cost_usd');
if (root.attrs.cost_usd !== undefined) problems.push('the root span carries cost_usd');
if (root.traceId !== traceId) problems.push(`root trace ${root.traceId}, the app's trace ${traceId}`);
if (root.resource['service.name'] !== 'packed-cjs') problems.push(`service.name ${root.resource['service.name']}`);
if (spans.some((s) => s.traceId !== traceId)) problems.push('spans outside the app trace');
// The cost_usd counter, flushed at exit: one point per kind/provider/model, summing to the trace.
const points = requests
  .filter((r) => r.path === '/v1/metrics')
  .flatMap((r) => JSON.parse(r.body).resourceMetrics ?? [])
  .flatMap((rm) => rm.scopeMetrics ?? [])
  .flatMap((sm) => sm.metrics ?? [])
  .filter((m) => m.name === 'cost_usd')
  .flatMap((m) => m.sum?.dataPoints ?? []);
near(
  points.reduce((sum, p) => sum + p.asDouble, 0),
  0.008037,
  `sum of the cost_usd metric (${points.length} points)`,
);
if (problems.length > 0) {
  console.error(`${problems.join('\n')}\nspans: ${spans.map((s) => s.name).join(', ')}`);
  process.exit(1);
}
EOF
cjs_trace="$(sed -n 's/^trace \([0-9a-f]\{32\}\)$/\1/p' "$WORK/cjs.out")"
[[ -f "$WORK/otlp.jsonl" ]] || fail "CJS app: nothing reached the OTLP receiver"
run "$WORK/check-otlp.log" node "$WORK/check-otlp.mjs" "$WORK/otlp.jsonl" "$cjs_trace" ||
  fail "CJS app: exported spans do not carry the expected costs"
pass "node --require @agentburn/node/register app.cjs: OTLP/JSON spans carry cost_usd, root carries agentburn.trace.cost_usd, cost_usd metric sums to it"

# The bin, from the installed package (never fetched).
# gpt-4o (genai-prices): 1000 x $2.50/Mtok + 500 x $10/Mtok = 0.0025 + 0.005 = $0.0075
(cd "$APP" && run "$WORK/price.out" npx --no agentburn price gpt-4o --input 1000 --output 500) ||
  fail "npx agentburn price failed"
grep -qE '^ *total +\$0\.0075$' "$WORK/price.out" || {
  cat "$WORK/price.out" >&2
  fail "npx agentburn price gpt-4o --input 1000 --output 500 did not print total \$0.0075"
}
pass "npx agentburn price gpt-4o --input 1000 --output 500 prints total \$0.0075"

# Every main export, from require() and from import().
cat >"$APP/load.cjs" <<'EOF'
// Each package's main exports, through require() (the "require" condition) and
// import() (the "import" condition), from the app's own node_modules.
const expected = {
  '@agentburn/core': ['CostSpanProcessor', 'withAgent'],
  '@agentburn/instrumentation-openai': ['OpenAIInstrumentation'],
  '@agentburn/instrumentation-anthropic': ['AnthropicInstrumentation'],
  '@agentburn/instrumentation-e2b': ['E2BInstrumentation'],
  '@agentburn/instrumentation-google-genai': ['GoogleGenAIInstrumentation'],
  '@agentburn/instrumentation-bedrock': ['BedrockInstrumentation'],
  '@agentburn/instrumentation-daytona': ['DaytonaInstrumentation'],
  '@agentburn/instrumentation-vercel-sandbox': ['VercelSandboxInstrumentation'],
  '@agentburn/node': ['register'],
  '@agentburn/cli': ['main', 'SpendAggregator'],
};
(async () => {
  const problems = [];
  for (const [name, keys] of Object.entries(expected)) {
    const cjs = require(name);
    const esm = await import(name);
    for (const key of keys) {
      if (typeof cjs[key] !== 'function') problems.push(`require('${name}').${key} is ${typeof cjs[key]}`);
      if (typeof esm[key] !== 'function') problems.push(`import('${name}').${key} is ${typeof esm[key]}`);
    }
    if (cjs.CostSpanProcessor !== undefined && cjs.CostSpanProcessor === esm.CostSpanProcessor) {
      problems.push(`${name}: require() and import() returned the same build; expected the CJS and ESM files`);
    }
  }
  if (problems.length > 0) {
    console.error(problems.join('\n'));
    process.exitCode = 1;
  }
})();
EOF
(cd "$APP" && run "$WORK/load.log" node load.cjs) || fail "an entry point does not load from require() or import()"
pass "require() and import() of every package expose its main exports (CostSpanProcessor from both core builds)"

# --- 4. types ------------------------------------------------------------------
# One importer of every package; @ts-expect-error lines fail if a package's
# types resolved to `any`. Checked as ESM (.mts: "import" types) and CommonJS
# (.cts: "require" types) under node16, and as a bundler project.
cat >"$APP/importer.ts" <<'EOF'
import { AgentburnHandle, register, type RegisterOptions } from '@agentburn/node';
import { formatUsd, SpendAggregator } from '@agentburn/cli';
import { ATTR_COST_USD, CostSpanProcessor, withAgent } from '@agentburn/core';
import { AnthropicInstrumentation } from '@agentburn/instrumentation-anthropic';
import { E2BInstrumentation } from '@agentburn/instrumentation-e2b';
import { OpenAIInstrumentation } from '@agentburn/instrumentation-openai';
// The side-effect entry, imported from code instead of `--import` (checked by noUncheckedSideEffectImports).
import '@agentburn/node/register';

const options: RegisterOptions = {
  serviceName: 'typed-app',
  instrumentations: [new OpenAIInstrumentation(), new AnthropicInstrumentation(), new E2BInstrumentation()],
};
export const start = (): AgentburnHandle => register(options);
export const processor: CostSpanProcessor = new CostSpanProcessor();
export const key: string = ATTR_COST_USD;
export const inAgent: Promise<number> = withAgent('typed-agent', async () => 1);
export const spend = new SpendAggregator();
export const usd: string = formatUsd(0.0075);

// @ts-expect-error: a contract name is a string
export const notANumber: number = ATTR_COST_USD;
// @ts-expect-error: register takes options, not a string
register('typed-app');
// @ts-expect-error: no such export
export { NoSuchThing } from '@agentburn/core';
EOF
cp "$APP/importer.ts" "$APP/importer.mts"
cp "$APP/importer.ts" "$APP/importer.cts"
cat >"$APP/tsconfig.node16.json" <<'EOF'
{
  "compilerOptions": {
    "module": "node16",
    "moduleResolution": "node16",
    "target": "es2022",
    "strict": true,
    "noEmit": true,
    "noUncheckedSideEffectImports": true,
    "types": ["node"]
  },
  "files": ["importer.mts", "importer.cts"]
}
EOF
cat >"$APP/tsconfig.bundler.json" <<'EOF'
{
  "compilerOptions": {
    "module": "esnext",
    "moduleResolution": "bundler",
    "target": "es2022",
    "strict": true,
    "noEmit": true,
    "noUncheckedSideEffectImports": true,
    "types": ["node"]
  },
  "files": ["importer.ts"]
}
EOF
for resolution in node16 bundler; do
  (cd "$APP" && run "$WORK/tsc-$resolution.log" npx --yes -p typescript@5 tsc -p "tsconfig.$resolution.json") ||
    fail "types do not resolve with moduleResolution $resolution"
  pass "types of every package resolve with moduleResolution $resolution"
done

echo "$PASSED passed, 0 failed"
