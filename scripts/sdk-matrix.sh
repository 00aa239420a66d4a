#!/usr/bin/env bash
# Runs one instrumentation's test suite against another version of the SDK it
# instruments, installed into a scratch directory outside the repository; the
# suite loads the SDK from the directory named by <env-var>.
#   scripts/sdk-matrix.sh <package dir> <sdk name> <version or range> <env-var>
# A range (e.g. "<1", "3") installs the newest release the registry serves in it.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
package="$1"
sdk="$2"
version="$3"
env_var="$4"

scratch="$(mktemp -d "${TMPDIR:-/tmp}/agentburn-sdk-matrix.XXXXXX")"
trap 'rm -rf "$scratch"' EXIT

(cd "$scratch" && npm init -y >/dev/null &&
  npm install --no-audit --no-fund --ignore-scripts --loglevel=error "$sdk@$version")
installed="$(node -p "require('$scratch/node_modules/$sdk/package.json').version")"
echo "$sdk@$version: $installed -> $scratch"

cd "$root"
env "$env_var=$scratch" npx vitest run "$package/test"
