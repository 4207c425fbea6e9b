# agora-otelcol container image: a static binary (CGO_ENABLED=0) on an empty
# base, running as a non-root user, with the shipped configs inside.
#
#   docker build -t agora-otelcol .            # builds the binary with ocb in a Go stage
#   make image                                 # the same, with buildah or docker
#
# BINARY_FROM=prebuilt takes bin/agora-otelcol from the build context instead
# (_build/container/, staged by `make image-prebuilt`): no Go stage, no pull.
ARG BINARY_FROM=build

FROM golang:1.26 AS build
WORKDIR /src
COPY . .
ENV CGO_ENABLED=0
RUN go install go.opentelemetry.io/collector/cmd/builder@v0.165.0 && \
    builder --config builder-config.yaml && \
    mkdir -p /out && cp _build/agora-otelcol /out/ && cp /etc/ssl/certs/ca-certificates.crt /out/

FROM scratch AS prebuilt
COPY _build/container/ /out/

FROM ${BINARY_FROM} AS binary

FROM scratch
COPY --from=binary /out/agora-otelcol /agora-otelcol
COPY --from=binary /out/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY config/ /etc/agora-otelcol/
COPY --chown=10001:10001 deploy/container/data/ /var/lib/agora-otelcol/
USER 10001:10001
# The gateway config: ClickHouse from CLICKHOUSE_ENDPOINT (required: the
# embedded engine is for local use), keys at AGORA_KEYS_FILE (mount them),
# TLS from AGORA_TLS_CERT_FILE/AGORA_TLS_KEY_FILE or AGORA_TLS=false behind a
# TLS-terminating proxy.
ENV AGORA_DATA_DIR=/var/lib/agora-otelcol AGORA_KEYS_FILE=/etc/agora/keys.yaml
EXPOSE 4317 4318 8000 8080 13133 13134
ENTRYPOINT ["/agora-otelcol"]
CMD ["--config", "/etc/agora-otelcol/gateway.yaml"]
