#!/usr/bin/env bash
# make test: a fresh test engine on its own ports and data dir (never the dev
# engine's data), every Go test against it — unit, and with the integration
# build tag the integration and end-to-end tests — then the engine is stopped.
set -euo pipefail
cd "$(dirname "$0")/.."

# shellcheck disable=SC2086
bin/agora-clickhouse down $CH_FLAGS >/dev/null 2>&1 || true
rm -rf .local/clickhouse-test
# shellcheck disable=SC2086
bin/agora-clickhouse up $CH_FLAGS
# shellcheck disable=SC2086
trap 'bin/agora-clickhouse down $CH_FLAGS' EXIT

export AGORA_TEST_CLICKHOUSE_NATIVE=tcp://127.0.0.1:19000
export AGORA_TEST_CLICKHOUSE_HTTP=http://127.0.0.1:18123
export AGORA_OTELCOL_BIN="$PWD/bin/agora-otelcol"
export AGORA_CLICKHOUSE_BIN="$PWD/bin/agora-clickhouse"
export AGORACTL_BIN="$PWD/bin/agoractl"
export AGORA_ENGINE_LIB="$PWD/.local/engine/libchdb.so"
export AGORA_TEST_ENGINE_DIR="$PWD/.local/clickhouse-test"
export AGORA_CONTRIB_BIN="$PWD/bin/otelcol-contrib-ch"

rm -f test-output/reliability.txt test-output/security.txt
# shellcheck disable=SC2086
case "${GO_TEST_ARGS:-}" in
  *./*) go test -tags integration -count=1 -timeout 20m $GO_TEST_ARGS ;;     # the args name their packages
  *) go test -tags integration -count=1 -timeout 20m ${GO_TEST_ARGS:-} ./... ;;
esac

if [ -s test-output/reliability.txt ]; then
  echo "== Reliability (the chaos suite's figures, see README)"
  cat test-output/reliability.txt
fi
if [ -s test-output/security.txt ]; then
  echo "== Security (attack cases of the security suite, see README)"
  awk '{n[$1]++; if ($2 != "blocked") s[$1]++} END {for (k in n) printf "%-10s %d attack cases, %d succeeded\n", k, n[k], s[k]+0}' test-output/security.txt | sort
  if grep -q SUCCEEDED test-output/security.txt; then grep SUCCEEDED test-output/security.txt; exit 1; fi
fi

# Every fuzz target for a bounded number of inputs (FUZZTIME, default 10000x;
# longer by hand: go test -run '^$' -fuzz '^FuzzBatch$' -fuzztime 10m
# ./receiver/agorareceiver). A count, not a duration: Go 1.26's coordinator
# can report a bare "context deadline exceeded" when a duration ends while a
# worker is mid-input (go.dev/issue/75804), failing the run with no finding.
if [ -z "${GO_TEST_ARGS:-}" ]; then
  mkdir -p test-output
  for pkg in $(grep -rl --include='*_test.go' '^func Fuzz' . | xargs -n1 dirname | sort -u); do
    for target in $(grep -ho '^func Fuzz[A-Za-z0-9_]*' "$pkg"/*_test.go | cut -d' ' -f2); do
      go test -run '^$' -fuzz "^${target}\$" -fuzztime "${FUZZTIME:-10000x}" "$pkg" >"test-output/fuzz-$target.txt" 2>&1 || {
        tail -20 "test-output/fuzz-$target.txt"
        echo "FAIL fuzz $target in $pkg (see $pkg/testdata/fuzz/$target and test-output/fuzz-$target.txt)"; exit 1; }
      echo "ok   fuzz $target ${FUZZTIME:-10000x}"
    done
  done
fi
