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

# Execution ids carry a MAC keyed by this secret: keep it across restarts.
if [ -z "${AGORA_ID_SECRET:-}" ]; then
  mkdir -p data
  [ -s data/id-secret ] || (umask 077; head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > data/id-secret)
  AGORA_ID_SECRET=$(cat data/id-secret)
  export AGORA_ID_SECRET
fi

# A fresh machine has no keys: create a dev org with an SDK key (ingest)
# and a UI key (read, admin, ingest) and show them once.
export AGORA_KEYS_FILE=${AGORA_KEYS_FILE:-data/keys.yaml}
if [ "$(bin/agoractl keys list --keys-file "$AGORA_KEYS_FILE" | wc -l)" -le 1 ]; then
  sdk=$(bin/agoractl keys create --org dev --name sdk --scope ingest --keys-file "$AGORA_KEYS_FILE" | tail -n 1)
  ui=$(bin/agoractl keys create --org dev --name admin --scope ingest,read,admin --keys-file "$AGORA_KEYS_FILE" | tail -n 1)
  cat <<MSG

  Created org "dev" and two API keys (shown only now; keys file: $AGORA_KEYS_FILE).
  Point an Agora SDK at this collector with (this key can only send telemetry):

    AGORA_API_KEY=$sdk
    AGORA_PLATFORM_URL=http://${AGORA_API_ENDPOINT:-localhost:8000}

  OTel SDKs: send the same key as header X-API-Key or Authorization: Bearer.
  Sign in to the UI at http://${AGORA_UI_ENDPOINT:-localhost:8080} with the admin key:

    $ui

  More keys: bin/agoractl keys create --org dev --name NAME --scope ingest|read|admin

MSG
fi

# Where each part listens: the same environment variables the config reads.
ui=${AGORA_UI_ENDPOINT:-localhost:8080} api=${AGORA_API_ENDPOINT:-localhost:8000}
grpc=${AGORA_OTLP_GRPC_ENDPOINT:-localhost:4317} otlphttp=${AGORA_OTLP_HTTP_ENDPOINT:-localhost:4318}
health=${AGORA_HEALTH_ENDPOINT:-localhost:13133} ready=${AGORA_READY_ENDPOINT:-localhost:13134}
cat <<MSG
monitoring UI:   http://$ui (sign in with a read or admin key)
Agora API:       http://$api (AGORA_PLATFORM_URL)
OTLP:            gRPC $grpc, HTTP http://$otlphttp
health:          http://$health/status?verbose, readiness http://$ready/ready
workflow metrics: http://${AGORA_PROM_ENDPOINT:-localhost:8889}/metrics
collector metrics: http://localhost:${AGORA_METRICS_PORT:-8888}/metrics
ClickHouse:      ${CLICKHOUSE_ENDPOINT:-http://127.0.0.1:8123} (database ${CLICKHOUSE_DATABASE:-agora})
MSG
bin/agora-otelcol --config "${AGORA_CONFIG:-config/local.yaml}" || status=$?
exit "${status:-0}"
