ALTER TABLE {{ident .Database}}.executions
    -- The end user the run served, when its telemetry names one.
    ADD COLUMN IF NOT EXISTS UserId String DEFAULT '' CODEC(ZSTD(1)),
    -- A session's or user's runs, found without reading every row (parts
    -- written before this step get the index as they merge).
    ADD INDEX IF NOT EXISTS idx_session SessionId TYPE bloom_filter(0.01) GRANULARITY 4,
    ADD INDEX IF NOT EXISTS idx_user UserId TYPE bloom_filter(0.01) GRANULARITY 4
