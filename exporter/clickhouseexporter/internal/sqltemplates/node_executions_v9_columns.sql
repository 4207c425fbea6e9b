ALTER TABLE {{ident .Database}}.node_executions
    ADD COLUMN IF NOT EXISTS Model LowCardinality(String) DEFAULT '' CODEC(ZSTD(1)),
    ADD COLUMN IF NOT EXISTS Provider LowCardinality(String) DEFAULT '' CODEC(ZSTD(1))
