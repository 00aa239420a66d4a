#!/bin/sh
# System packages the test suite needs beyond npm: a Prometheus server, which
# test/prometheus.test.ts starts on 127.0.0.1 to run the dashboard's PromQL,
# and Chromium, in which test/report-html.test.ts opens the report page.
set -eu

if command -v prometheus >/dev/null 2>&1 && [ -x /usr/bin/chromium ]; then
  prometheus --version 2>&1 | head -n 1
  /usr/bin/chromium --version 2>/dev/null || true
  exit 0
fi

SUDO=''
if [ "$(id -u)" -ne 0 ]; then SUDO='sudo'; fi
$SUDO apt-get update
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends prometheus chromium
# The Debian package starts a system service; the tests run their own instance.
$SUDO systemctl stop prometheus >/dev/null 2>&1 || true
prometheus --version 2>&1 | head -n 1
/usr/bin/chromium --version 2>/dev/null || true
