ALTER TABLE {{ident .Database}}.executions
    -- The run's session or conversation, when its telemetry names one.
    ADD COLUMN IF NOT EXISTS SessionId String DEFAULT '' CODEC(ZSTD(1)),
    -- The LLM models its calls used.
    ADD COLUMN IF NOT EXISTS Models Array(LowCardinality(String)) CODEC(ZSTD(1))
