#!/usr/bin/env bash
# Runs the instrumentation's smoke test against another @google/genai
# version, installed into a scratch directory outside the repository.
#   packages/instrumentation-google-genai/test/matrix.sh          # newest 3.x (needs Node >= 22)
#   packages/instrumentation-google-genai/test/matrix.sh 1.30.0   # a given version
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../.." && pwd)"

version="${1:-}"
if [ -z "$version" ]; then
  # `npm view pkg@3 version` lists every matching version; the last one is the newest.
  version="$(npm view '@google/genai@3' version --json | node -e \
    'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const v=JSON.parse(s);console.log(Array.isArray(v)?v.at(-1):v)})')"
fi

scratch="$(mktemp -d "${TMPDIR:-/tmp}/agentburn-google-genai-matrix.XXXXXX")"
trap 'rm -rf "$scratch"' EXIT

echo "@google/genai@$version -> $scratch"
(cd "$scratch" && npm init -y >/dev/null && npm install --no-audit --no-fund --ignore-scripts --loglevel=error "@google/genai@$version")

cd "$root"
GOOGLE_GENAI_MATRIX_DIR="$scratch" npx vitest run packages/instrumentation-google-genai/test/matrix.test.ts
