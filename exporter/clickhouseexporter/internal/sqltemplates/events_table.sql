CREATE TABLE IF NOT EXISTS {{ident .Database}}.events (
    OrgId LowCardinality(String) CODEC(ZSTD(1)),
    ExecutionId UUID CODEC(ZSTD(1)),
    EventId UUID CODEC(ZSTD(1)),
    ProjectName LowCardinality(String) CODEC(ZSTD(1)),
    WorkflowName LowCardinality(String) CODEC(ZSTD(1)),
    EventType LowCardinality(String) CODEC(ZSTD(1)),
    Timestamp DateTime64(6) CODEC(Delta, ZSTD(1)),
    Data String CODEC(ZSTD(3))
)
-- The event's own (content-derived) id is its key: a re-sent event stores once.
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(Timestamp)
ORDER BY (OrgId, ExecutionId, EventId)
{{- if .TTLSeconds}}
TTL toDateTime(Timestamp) + toIntervalSecond({{.TTLSeconds}})
{{- end}}
SETTINGS index_granularity = 8192, ttl_only_drop_parts = 1, non_replicated_deduplication_window = 1000
