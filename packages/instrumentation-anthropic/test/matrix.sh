#!/usr/bin/env bash
# Runs the instrumentation's smoke test against another @anthropic-ai/sdk
# version, installed into a scratch directory outside the repository.
#   packages/instrumentation-anthropic/test/matrix.sh            # newest 0.x
#   packages/instrumentation-anthropic/test/matrix.sh 0.30.0     # a given version
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../.." && pwd)"

version="${1:-}"
if [ -z "$version" ]; then
  # `npm view pkg@0 version` lists every matching version; the last one is the newest.
  version="$(npm view '@anthropic-ai/sdk@0' version --json | node -e \
    'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const v=JSON.parse(s);console.log(Array.isArray(v)?v.at(-1):v)})')"
fi

scratch="$(mktemp -d "${TMPDIR:-/tmp}/agentburn-anthropic-matrix.XXXXXX")"
trap 'rm -rf "$scratch"' EXIT

echo "@anthropic-ai/sdk@$version -> $scratch"
(cd "$scratch" && npm init -y >/dev/null && npm install --no-audit --no-fund --ignore-scripts --loglevel=error "@anthropic-ai/sdk@$version")

cd "$root"
ANTHROPIC_SDK_MATRIX_DIR="$scratch" npx vitest run packages/instrumentation-anthropic/test/matrix.test.ts
