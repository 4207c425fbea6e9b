#!/usr/bin/env bash
# make deps: what the browser tests need beyond Go and npm — Debian's
# chromium (a system package: needs root) and playwright-core (no browser
# download). make test runs it first.
set -euo pipefail
cd "$(dirname "$0")/.."
chromium=${CHROMIUM:-/usr/bin/chromium}
if ! command -v "$chromium" >/dev/null; then
  if [ "$(id -u)" != 0 ]; then
    echo "deps: $chromium is missing and installing it needs root: run 'sudo apt-get install chromium' (or set CHROMIUM to a Chromium binary), then make test again" >&2
    exit 1
  fi
  echo "deps: installing chromium (Debian package) for the browser tests"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
if [ ! -d test/browser/node_modules/playwright-core ]; then
  echo "deps: installing playwright-core for the browser tests"
  npm install --prefix test/browser --no-package-lock --no-audit --no-fund --loglevel=error
fi
