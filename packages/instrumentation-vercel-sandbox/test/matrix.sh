#!/usr/bin/env bash
# Runs this package's suite against another @vercel/sandbox release
# (SUPPORTED_VERSIONS: 3.x). A release of a declined major (2.x) runs only the
# declining test: one diag message, nothing patched.
#   packages/instrumentation-vercel-sandbox/test/matrix.sh          # newest 3.x
#   packages/instrumentation-vercel-sandbox/test/matrix.sh 2        # newest 2.x (declined)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
exec bash "$here/../../../scripts/sdk-matrix.sh" packages/instrumentation-vercel-sandbox @vercel/sandbox "${1:-3}" VERCEL_SANDBOX_SDK_MATRIX_DIR
