-- The same type as executions.ExecutionId: joins need no casts. Waits for
-- the rewrite of existing parts.
ALTER TABLE {{ident .Database}}.spans MODIFY COLUMN ExecutionId UUID CODEC(ZSTD(1)) SETTINGS mutations_sync = 2
