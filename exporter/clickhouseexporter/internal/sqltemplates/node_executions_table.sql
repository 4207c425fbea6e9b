CREATE TABLE IF NOT EXISTS {{ident .Database}}.node_executions (
    OrgId LowCardinality(String) CODEC(ZSTD(1)),
    ExecutionId UUID CODEC(ZSTD(1)),
    NodeExecutionId UUID CODEC(ZSTD(1)),
    ProjectId UUID CODEC(ZSTD(1)),
    ProjectName LowCardinality(String) CODEC(ZSTD(1)),
    WorkflowId UUID CODEC(ZSTD(1)),
    WorkflowName LowCardinality(String) CODEC(ZSTD(1)),
    NodeId UUID CODEC(ZSTD(1)),
    NodeName LowCardinality(String) CODEC(ZSTD(1)),
    NodeType LowCardinality(String) CODEC(ZSTD(1)),
    Status LowCardinality(String) CODEC(ZSTD(1)),
    StartedAt DateTime64(6) CODEC(Delta, ZSTD(1)),
    CompletedAt Nullable(DateTime64(6)) CODEC(ZSTD(1)),
    PrepDurationMs Nullable(Float64) CODEC(ZSTD(1)),
    ExecDurationMs Nullable(Float64) CODEC(ZSTD(1)),
    PostDurationMs Nullable(Float64) CODEC(ZSTD(1)),
    RetryCount UInt32 CODEC(ZSTD(1)),
    ErrorMessage String CODEC(ZSTD(1)),
    NextAction LowCardinality(String) CODEC(ZSTD(1)),
    Input String CODEC(ZSTD(3)),
    Output String CODEC(ZSTD(3)),
    PromptTokens Nullable(Int64) CODEC(ZSTD(1)),
    CompletionTokens Nullable(Int64) CODEC(ZSTD(1)),
    TotalTokens Nullable(Int64) CODEC(ZSTD(1)),
    EstimatedCost Nullable(Float64) CODEC(ZSTD(1)),
    -- When the collector received this version; the newest wins at merge or FINAL.
    Version DateTime64(9) CODEC(ZSTD(1))
)
-- A node execution's own id is its key: a re-sent report (a retry, or the
-- same run going from running to success) keeps one row, the newest.
ENGINE = ReplacingMergeTree(Version)
PARTITION BY toYYYYMM(StartedAt)
ORDER BY (OrgId, ExecutionId, NodeExecutionId)
{{- if .TTLSeconds}}
TTL toDateTime(StartedAt) + toIntervalSecond({{.TTLSeconds}})
{{- end}}
SETTINGS index_granularity = 8192, ttl_only_drop_parts = 1, non_replicated_deduplication_window = 1000
