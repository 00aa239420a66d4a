#!/usr/bin/env bash
# Runs this package's suite against another @daytonaio/sdk release (its
# SUPPORTED_VERSIONS: >=0.100.0 <1; every 0.x minor may break, so CI runs
# both ends of the range).
#   packages/instrumentation-daytona/test/matrix.sh            # newest 0.x
#   packages/instrumentation-daytona/test/matrix.sh 0.100.0    # a given version
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
exec bash "$here/../../../scripts/sdk-matrix.sh" packages/instrumentation-daytona @daytonaio/sdk "${1:-<1}" DAYTONA_SDK_MATRIX_DIR
