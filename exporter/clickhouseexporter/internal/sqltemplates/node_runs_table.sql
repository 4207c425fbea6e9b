CREATE TABLE IF NOT EXISTS {{ident .Database}}.node_runs (
    OrgId LowCardinality(String) CODEC(ZSTD(1)),
    WorkflowId UUID CODEC(ZSTD(1)),
    ProjectName LowCardinality(String) CODEC(ZSTD(1)),
    WorkflowName LowCardinality(String) CODEC(ZSTD(1)),
    ExecutionId UUID CODEC(ZSTD(1)),
    NodeExecutionId UUID CODEC(ZSTD(1)),
    NodeName LowCardinality(String) CODEC(ZSTD(1)),
    Status LowCardinality(String) CODEC(ZSTD(1)),
    StartedAt DateTime64(6) CODEC(Delta, ZSTD(1)),
    CompletedAt Nullable(DateTime64(6)) CODEC(ZSTD(1)),
    RetryCount UInt32 CODEC(ZSTD(1)),
    NextAction LowCardinality(String) CODEC(ZSTD(1)),
    PromptTokens Nullable(Int64) CODEC(ZSTD(1)),
    CompletionTokens Nullable(Int64) CODEC(ZSTD(1)),
    TotalTokens Nullable(Int64) CODEC(ZSTD(1)),
    EstimatedCost Nullable(Float64) CODEC(ZSTD(1)),
    Model LowCardinality(String) CODEC(ZSTD(1)),
    Provider LowCardinality(String) CODEC(ZSTD(1)),
    Deleted Bool CODEC(ZSTD(1)),
    Version DateTime64(9) CODEC(ZSTD(1))
)
-- node_executions without inputs and outputs, ordered by time and workflow
-- for the workflow graph and the usage page: a window of one org's
-- workflow is a key range. Filled by node_runs_mv; versions collapse as
-- in node_executions.
ENGINE = ReplacingMergeTree(Version)
PARTITION BY toYYYYMM(StartedAt)
ORDER BY (OrgId, toDate(StartedAt), WorkflowId, StartedAt, NodeExecutionId)
{{- if .TTLSeconds}}
TTL toDateTime(StartedAt) + toIntervalSecond({{.TTLSeconds}})
{{- end}}
SETTINGS index_granularity = 8192, ttl_only_drop_parts = 1
