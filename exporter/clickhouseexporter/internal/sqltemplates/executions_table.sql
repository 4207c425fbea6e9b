CREATE TABLE IF NOT EXISTS {{ident .Database}}.executions (
    OrgId LowCardinality(String) CODEC(ZSTD(1)),
    ExecutionId UUID CODEC(ZSTD(1)),
    ProjectId UUID CODEC(ZSTD(1)),
    ProjectName LowCardinality(String) CODEC(ZSTD(1)),
    WorkflowId UUID CODEC(ZSTD(1)),
    WorkflowName LowCardinality(String) CODEC(ZSTD(1)),
    Status LowCardinality(String) CODEC(ZSTD(1)),
    StartedAt DateTime64(6) CODEC(Delta, ZSTD(1)),
    CompletedAt Nullable(DateTime64(6)) CODEC(ZSTD(1)),
    DurationMs Nullable(Float64) CODEC(ZSTD(1)),
    ErrorMessage String CODEC(ZSTD(1)),
    Input String CODEC(ZSTD(3)),
    Output String CODEC(ZSTD(3)),
    NodeCount UInt32 CODEC(ZSTD(1)),
    ErrorCount UInt32 CODEC(ZSTD(1)),
    RetryCount UInt32 CODEC(ZSTD(1)),
    PromptTokens Int64 CODEC(ZSTD(1)),
    CompletionTokens Int64 CODEC(ZSTD(1)),
    TotalTokens Int64 CODEC(ZSTD(1)),
    EstimatedCost Float64 CODEC(ZSTD(1)),
    LastSeen DateTime64(6) CODEC(ZSTD(1)),
    Source LowCardinality(String) CODEC(ZSTD(1)),
    -- When the processor emitted this version; the newest wins at merge or FINAL.
    Version DateTime64(9) CODEC(ZSTD(1)),
    INDEX idx_status Status TYPE set(8) GRANULARITY 4,
    INDEX idx_workflow WorkflowName TYPE bloom_filter(0.01) GRANULARITY 4
)
-- Every version is a complete record (the processor holds the whole
-- execution), so keeping the newest loses nothing. Daily partitions let the
-- recent-first listing read only recent days (FINAL still merges across
-- partitions, should a start time move between versions).
ENGINE = ReplacingMergeTree(Version)
PARTITION BY toDate(StartedAt)
ORDER BY (OrgId, ExecutionId)
{{- if .TTLSeconds}}
TTL toDateTime(LastSeen) + toIntervalSecond({{.TTLSeconds}})
{{- end}}
SETTINGS index_granularity = 8192, ttl_only_drop_parts = 1, non_replicated_deduplication_window = 1000
