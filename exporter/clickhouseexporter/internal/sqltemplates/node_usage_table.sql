CREATE TABLE IF NOT EXISTS {{ident .Database}}.node_usage (
    OrgId LowCardinality(String) CODEC(ZSTD(1)),
    StartedAt DateTime64(6) CODEC(Delta, ZSTD(1)),
    ProjectName LowCardinality(String) CODEC(ZSTD(1)),
    WorkflowName LowCardinality(String) CODEC(ZSTD(1)),
    NodeExecutionId UUID CODEC(ZSTD(1)),
    Model LowCardinality(String) CODEC(ZSTD(1)),
    Provider LowCardinality(String) CODEC(ZSTD(1)),
    PromptTokens Nullable(Int64) CODEC(ZSTD(1)),
    CompletionTokens Nullable(Int64) CODEC(ZSTD(1)),
    TotalTokens Nullable(Int64) CODEC(ZSTD(1)),
    EstimatedCost Nullable(Float64) CODEC(ZSTD(1)),
    Deleted Bool CODEC(ZSTD(1)),
    Version DateTime64(9) CODEC(ZSTD(1))
)
-- The node executions with LLM usage (and retractions), by org and day:
-- the usage page reads only these. Filled by node_usage_mv; a node's
-- usage only grows across its versions, so its newest version with usage
-- is its usage.
ENGINE = ReplacingMergeTree(Version)
PARTITION BY toYYYYMM(StartedAt)
ORDER BY (OrgId, toDate(StartedAt), NodeExecutionId)
{{- if .TTLSeconds}}
TTL toDateTime(StartedAt) + toIntervalSecond({{.TTLSeconds}})
{{- end}}
SETTINGS index_granularity = 8192, ttl_only_drop_parts = 1
