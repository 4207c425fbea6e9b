-- Named <traces table>_trace_id_ts, where Grafana's ClickHouse plugin looks
-- for it to bound a trace lookup.
CREATE TABLE IF NOT EXISTS {{ident .Database}}.spans_trace_id_ts (
    OrgId LowCardinality(String) CODEC(ZSTD(1)),
    TraceId String CODEC(ZSTD(1)),
    Start SimpleAggregateFunction(min, DateTime64(9)) CODEC(Delta, ZSTD(1)),
    End SimpleAggregateFunction(max, DateTime64(9)) CODEC(Delta, ZSTD(1))
)
-- One row per (org, trace) after merges: the time window that bounds a
-- trace lookup in spans.
ENGINE = AggregatingMergeTree
PARTITION BY toStartOfMonth(Start)
ORDER BY (OrgId, TraceId)
{{- if .TTLSeconds}}
TTL toDateTime(Start) + toIntervalSecond({{.TTLSeconds}})
{{- end}}
SETTINGS index_granularity = 8192, ttl_only_drop_parts = 1
