#!/usr/bin/env bash
# make bench-compare: a fresh engine of its own (never the dev or test
# engine's data), the comparison, then the engine is stopped. The table is
# also written to test-output/bench-compare.md.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck disable=SC2086
bin/agora-clickhouse down $CH_FLAGS >/dev/null 2>&1 || true
rm -rf .local/clickhouse-bench
# shellcheck disable=SC2086
bin/agora-clickhouse up $CH_FLAGS
# shellcheck disable=SC2086
trap 'bin/agora-clickhouse down $CH_FLAGS' EXIT
mkdir -p test-output
bin/agora-bench --agora bin/agora-otelcol --contrib bin/otelcol-contrib-ch \
  --clickhouse tcp://127.0.0.1:39000 --engine-dir .local/clickhouse-bench \
  --out test-output/bench-compare.md "$@"
