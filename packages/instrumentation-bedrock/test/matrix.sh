#!/usr/bin/env bash
# Runs the instrumentation's smoke test against another
# @aws-sdk/client-bedrock-runtime version, installed into a scratch directory
# outside the repository.
#   packages/instrumentation-bedrock/test/matrix.sh            # newest 3.x
#   packages/instrumentation-bedrock/test/matrix.sh 3.600.0    # a given version
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../.." && pwd)"

# npm resolves a range to the newest version the registry serves.
version="${1:-3}"

scratch="$(mktemp -d "${TMPDIR:-/tmp}/agentburn-bedrock-matrix.XXXXXX")"
trap 'rm -rf "$scratch"' EXIT

echo "@aws-sdk/client-bedrock-runtime@$version -> $scratch"
(cd "$scratch" && npm init -y >/dev/null &&
  npm install --no-audit --no-fund --ignore-scripts --loglevel=error "@aws-sdk/client-bedrock-runtime@$version")

cd "$root"
BEDROCK_SDK_MATRIX_DIR="$scratch" npx vitest run packages/instrumentation-bedrock/test/matrix.test.ts
