CREATE TABLE IF NOT EXISTS {{ident .Database}}.logs (
    OrgId LowCardinality(String) CODEC(ZSTD(1)),
    -- The record's identity: its item id, execution + event for a start or
    -- completion, else a hash of its content. A re-sent record keeps one row.
    RecordId String CODEC(ZSTD(1)),
    ExecutionId String CODEC(ZSTD(1)),
    Timestamp DateTime64(9) CODEC(Delta, ZSTD(1)),
    ObservedTimestamp DateTime64(9) CODEC(Delta, ZSTD(1)),
    EventName LowCardinality(String) CODEC(ZSTD(1)),
    TraceId String CODEC(ZSTD(1)),
    SpanId String CODEC(ZSTD(1)),
    SeverityText LowCardinality(String) CODEC(ZSTD(1)),
    SeverityNumber UInt8 CODEC(ZSTD(1)),
    ServiceName LowCardinality(String) CODEC(ZSTD(1)),
    Body String CODEC(ZSTD(3)),
    ResourceAttributes Map(LowCardinality(String), String) CODEC(ZSTD(1)),
    ScopeName String CODEC(ZSTD(1)),
    LogAttributes Map(LowCardinality(String), String) CODEC(ZSTD(1)),
    INDEX idx_execution_id ExecutionId TYPE bloom_filter(0.001) GRANULARITY 1,
    INDEX idx_trace_id TraceId TYPE bloom_filter(0.001) GRANULARITY 1
)
-- Every log record that has no table of its own: execution starts and
-- completions, state snapshots, any OTLP log. The newest version of a record wins.
ENGINE = ReplacingMergeTree(ObservedTimestamp)
PARTITION BY toDate(Timestamp)
ORDER BY (OrgId, EventName, RecordId)
{{- if .TTLSeconds}}
TTL toDateTime(Timestamp) + toIntervalSecond({{.TTLSeconds}})
{{- end}}
SETTINGS index_granularity = 8192, ttl_only_drop_parts = 1, non_replicated_deduplication_window = 1000
