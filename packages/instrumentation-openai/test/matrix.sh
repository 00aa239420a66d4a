#!/usr/bin/env bash
# Smoke-tests the instrumentation against the newest release of every declared
# openai major: 4 and 5 (and 7 on Node >= 22) installed into scratch
# directories outside the repository, plus the 6.x installed in the repository
# (the full suite runs on it). Takes well under two minutes.
#
#   packages/instrumentation-openai/test/matrix.sh
#   OPENAI_MATRIX_DIR=/some/cache/dir packages/instrumentation-openai/test/matrix.sh
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../../.." && pwd)"
scratch="${OPENAI_MATRIX_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/openai-matrix.XXXXXX")}"
if [ -z "${OPENAI_MATRIX_DIR:-}" ]; then trap 'rm -rf "$scratch"' EXIT; fi

majors=(4 5)
node_major="$(node -p 'process.versions.node.split(".")[0]')"
if [ "$node_major" -ge 22 ]; then
  # openai 7 needs Node >= 22; test it once it is published.
  if [ -n "$(npm view 'openai@7' version 2>/dev/null | tail -n 1)" ]; then majors+=(7); fi
fi

for major in "${majors[@]}"; do
  dir="$scratch/openai-$major"
  mkdir -p "$dir"
  [ -f "$dir/package.json" ] || echo '{ "private": true }' >"$dir/package.json"
  npm install --prefix "$dir" --no-audit --no-fund --no-save --silent "openai@$major"
  node "$here/matrix-smoke.mjs" "$dir"
done

# The copy installed in the repository (6.x).
node "$here/matrix-smoke.mjs" "$repo"
