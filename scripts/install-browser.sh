#!/usr/bin/env bash
# Installs Debian's chromium for the HTML report's browser test (test/report/html-report.test.ts),
# which drives it through playwright-core at /usr/bin/chromium. Does nothing when it is there.
# Needs root (apt-get); run once on a fresh machine before `npm test`.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  echo "chromium already installed: $(/usr/bin/chromium --version 2>/dev/null || echo /usr/bin/chromium)"
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "install-browser.sh: /usr/bin/chromium is missing and installing it needs root (apt-get)" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends chromium
/usr/bin/chromium --version
