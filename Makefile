# agora-otelcol: `make run` builds everything and runs the collector with the
# local ClickHouse engine; `make test` runs every test. See README.md.

SHELL := /bin/bash
.DEFAULT_GOAL := build

OCB_VERSION    := v0.165.0
# The ClickHouse engine: libchdb.so from this npm package (Apache-2.0).
ENGINE_PKG     := @chdb/lib-linux-x64-gnu
ENGINE_VERSION := 26.7.3-stable.1
ENGINE_SHA1    := d2905fafd0e0ac0e231cccadd1f0f6d010977297

BIN        := $(CURDIR)/bin
LOCAL      := $(CURDIR)/.local
ENGINE_LIB := $(LOCAL)/engine/libchdb.so

# Dev engine (make run, clickhouse-up) and the separate test engine (make test).
CH_DEV_FLAGS  := --lib $(ENGINE_LIB) --dir $(LOCAL)/clickhouse --tcp-port 9000 --http-port 8123
CH_TEST_FLAGS := --lib $(ENGINE_LIB) --dir $(LOCAL)/clickhouse-test --tcp-port 19000 --http-port 18123
CH_BENCH_FLAGS := --lib $(ENGINE_LIB) --dir $(LOCAL)/clickhouse-bench --tcp-port 39000 --http-port 38123

GO_SOURCES := $(shell find . -name '*.go' -not -path './_build/*' -not -path './.local/*' -not -path './node_modules/*') \
	$(shell find . -name '*.sql' -not -path './_build/*' -not -path './.local/*') \
	$(shell find extension -path '*/web/*' -type f) go.mod go.sum

export CGO_ENABLED ?= 0

.PHONY: build deps engine image image-prebuilt run test test-go fuzz bench bench-ui bench-compare generate clickhouse-up clickhouse-down clickhouse-status clean

## build: the collector (bin/agora-otelcol), the key tool (bin/agoractl) and the engine launcher (bin/agora-clickhouse)
build: $(BIN)/agora-otelcol $(BIN)/agora-clickhouse $(BIN)/agoractl

$(BIN)/ocb:
	GOBIN=$(BIN) go install go.opentelemetry.io/collector/cmd/builder@$(OCB_VERSION)
	mv $(BIN)/builder $(BIN)/ocb

$(BIN)/agora-otelcol: $(BIN)/ocb builder-config.yaml $(GO_SOURCES)
	$(BIN)/ocb --config builder-config.yaml
	install -m 0755 _build/agora-otelcol $@

$(BIN)/agora-clickhouse: $(GO_SOURCES)
	go build -o $@ ./cmd/agora-clickhouse

$(BIN)/agoractl: $(GO_SOURCES)
	go build -o $@ ./cmd/agoractl

$(BIN)/agora-bench: $(GO_SOURCES)
	go build -o $@ ./cmd/agora-bench

# contrib's ClickHouse exporter, built by the same ocb, for bench-compare.
$(BIN)/otelcol-contrib-ch: $(BIN)/ocb bench/contrib/builder-config.yaml $(GO_SOURCES)
	cd bench/contrib && $(BIN)/ocb --config builder-config.yaml
	install -m 0755 bench/contrib/_build/otelcol-contrib-ch $@

## deps: the browser tests' chromium (Debian package; needs root) and playwright-core
deps:
	scripts/deps.sh

## image: the container image (Dockerfile; its Go stage runs ocb) with docker, else buildah
image:
	if command -v docker >/dev/null && docker info >/dev/null 2>&1; then docker build -t agora-otelcol .; \
	else buildah bud -t agora-otelcol .; fi

## image-prebuilt: the image from bin/agora-otelcol (no Go stage, nothing pulled), with buildah
image-prebuilt: build
	mkdir -p _build/container && cp $(BIN)/agora-otelcol /etc/ssl/certs/ca-certificates.crt _build/container/
	buildah bud --build-arg BINARY_FROM=prebuilt -t agora-otelcol .

## engine: download the pinned ClickHouse engine package and verify its checksum
engine: $(ENGINE_LIB)

$(ENGINE_LIB):
	scripts/install-engine.sh "$(ENGINE_PKG)" "$(ENGINE_VERSION)" "$(ENGINE_SHA1)" "$(LOCAL)/engine"

## clickhouse-up / clickhouse-down / clickhouse-status: the dev engine on 127.0.0.1:9000 (native) and :8123 (HTTP)
clickhouse-up: $(BIN)/agora-clickhouse $(ENGINE_LIB)
	$(BIN)/agora-clickhouse up $(CH_DEV_FLAGS)

clickhouse-down: $(BIN)/agora-clickhouse
	$(BIN)/agora-clickhouse down $(CH_DEV_FLAGS)

clickhouse-status: $(BIN)/agora-clickhouse
	$(BIN)/agora-clickhouse status $(CH_DEV_FLAGS)

## run: build, start the local engine unless CLICKHOUSE_ENDPOINT is set, run the collector in the foreground
run: build $(ENGINE_LIB)
	CH_FLAGS="$(CH_DEV_FLAGS)" scripts/run.sh

## test: every test (unit, generated lifecycle, integration against a real ClickHouse, e2e through the binary)
test: build deps $(BIN)/otelcol-contrib-ch $(ENGINE_LIB)
	CH_FLAGS="$(CH_TEST_FLAGS)" scripts/test.sh

## bench: the go benchmarks of the hot paths (needs the test engine, like make test)
bench: build $(ENGINE_LIB)
	CH_FLAGS="$(CH_TEST_FLAGS)" GO_TEST_ARGS="-run ^$$ -bench . -benchmem" scripts/test.sh

## bench-ui: seed 10M executions x 10 nodes and time the list, detail, graph, usage and search API (AGORA_BENCH_EXECUTIONS to change)
bench-ui: build $(ENGINE_LIB)
	CH_FLAGS="$(CH_TEST_FLAGS)" GO_TEST_ARGS="-run ^$$ -bench QueryAPILatency -benchtime 200x -timeout 30m ./test/e2e" scripts/test.sh

## bench-compare: agora-otelcol vs contrib's clickhouseexporter on one load and one engine (BENCH_ARGS to change it)
bench-compare: build $(BIN)/agora-bench $(BIN)/otelcol-contrib-ch $(ENGINE_LIB)
	CH_FLAGS="$(CH_BENCH_FLAGS)" scripts/bench-compare.sh $(BENCH_ARGS)

## generate: regenerate mdatagen code (internal/metadata, generated tests) after a metadata.yaml change
generate:
	cd internal/tools && go build -o $(BIN)/mdatagen go.opentelemetry.io/collector/cmd/mdatagen
	for m in $$(find receiver processor exporter extension connector -name metadata.yaml 2>/dev/null); do \
		(cd $$(dirname $$m) && $(BIN)/mdatagen metadata.yaml) || exit 1; done

clean:
	rm -rf _build bin
