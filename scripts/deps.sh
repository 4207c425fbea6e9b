#!/usr/bin/env bash
# make deps: what the tests need beyond Go and npm — Debian's chromium for
# the browser tests and buildah to build the container image (system
# packages: need root), and the npm packages of the JS-driven tests
# (playwright-core without a browser download; supabase-js's PostgREST
# client). make test runs it first.
set -euo pipefail
cd "$(dirname "$0")/.."
chromium=${CHROMIUM:-/usr/bin/chromium}
missing=()
command -v "$chromium" >/dev/null || missing+=(chromium)
command -v buildah >/dev/null || missing+=(buildah)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "deps: ${missing[*]} missing and installing needs root: run 'sudo apt-get install ${missing[*]}' (or set CHROMIUM to a Chromium binary), then make test again" >&2
    exit 1
  fi
  echo "deps: installing ${missing[*]} (Debian packages) for the browser and container-image tests"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
# npm packages of the JS-driven tests, pinned in their package.json.
for dir in test/browser test/postgrest test/agents; do
  if [ ! -d "$dir/node_modules" ]; then
    echo "deps: installing $dir's npm packages"
    npm install --prefix "$dir" --no-package-lock --no-audit --no-fund --loglevel=error
  fi
done
