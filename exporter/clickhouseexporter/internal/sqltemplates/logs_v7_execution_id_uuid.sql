-- As in spans: the nil UUID for a record outside any execution.
ALTER TABLE {{ident .Database}}.logs MODIFY COLUMN ExecutionId UUID CODEC(ZSTD(1)) SETTINGS mutations_sync = 2
