ALTER TABLE {{ident .Database}}.spans ADD INDEX IF NOT EXISTS idx_execution_id ExecutionId TYPE bloom_filter(0.001) GRANULARITY 1
