ALTER TABLE {{ident .Database}}.node_executions
    ADD COLUMN IF NOT EXISTS Deleted Bool DEFAULT false CODEC(ZSTD(1)) AFTER EstimatedCost
