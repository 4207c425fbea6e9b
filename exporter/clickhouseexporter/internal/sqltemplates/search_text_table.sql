CREATE TABLE IF NOT EXISTS {{ident .Database}}.search_text (
    OrgId LowCardinality(String) CODEC(ZSTD(1)),
    -- The execution's or node execution's start: what the time filter reads.
    StartedAt DateTime64(6) CODEC(Delta, ZSTD(1)),
    ExecutionId UUID CODEC(ZSTD(1)),
    -- The execution itself, or one of its node executions.
    ItemId UUID CODEC(ZSTD(1)),
    -- error, input or output.
    Field LowCardinality(String) CODEC(ZSTD(1)),
    -- The field's first 16 KiB.
    Text String CODEC(ZSTD(3)),
    Version DateTime64(9) CODEC(ZSTD(1)),
    -- Words, case folded: hasAllTokens reads only the granules that hold them.
    INDEX idx_text Text TYPE text(tokenizer = 'splitByNonAlpha', preprocessor = lower(Text))
)
-- The searchable text of executions and node executions, by org and time:
-- search reads this, not the records' large Input and Output columns.
-- Filled by search_text_executions_mv and search_text_nodes_mv.
ENGINE = ReplacingMergeTree(Version)
PARTITION BY toYYYYMM(StartedAt)
ORDER BY (OrgId, toDate(StartedAt), ExecutionId, ItemId, Field)
{{- if .TTLSeconds}}
TTL toDateTime(StartedAt) + toIntervalSecond({{.TTLSeconds}})
{{- end}}
SETTINGS index_granularity = 8192, ttl_only_drop_parts = 1
