#!/usr/bin/env bash
# make run: the local engine (unless CLICKHOUSE_ENDPOINT is set) and the
# collector in the foreground. Ctrl-C stops the collector, then the engine.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -z "${CLICKHOUSE_ENDPOINT:-}" ]; then
  # shellcheck disable=SC2086
  bin/agora-clickhouse up $CH_FLAGS
  # shellcheck disable=SC2086
  trap 'echo "stopping the local ClickHouse engine"; bin/agora-clickhouse down $CH_FLAGS' EXIT
else
  echo "using ClickHouse at $CLICKHOUSE_ENDPOINT (local engine not started)"
fi

echo "collector: OTLP gRPC localhost:4317, OTLP HTTP localhost:4318, health http://localhost:13133"
bin/agora-otelcol --config "${AGORA_CONFIG:-config/local.yaml}" || status=$?
exit "${status:-0}"
