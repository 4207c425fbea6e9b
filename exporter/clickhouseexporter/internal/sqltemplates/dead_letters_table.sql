CREATE TABLE IF NOT EXISTS {{ident .Database}}.dead_letters (
    OrgId LowCardinality(String) CODEC(ZSTD(1)),
    -- The table that refused the row.
    TableName LowCardinality(String) CODEC(ZSTD(1)),
    RowHash UInt64 CODEC(ZSTD(1)),
    FailedAt DateTime64(3) CODEC(Delta, ZSTD(1)),
    -- ClickHouse's refusal.
    Reason String CODEC(ZSTD(3)),
    -- The row's record as OTLP/JSON, to read.
    Record String CODEC(ZSTD(3)),
    -- The row as a Native-format block, to replay: INSERT INTO <TableName> FORMAT Native.
    Block String CODEC(ZSTD(3))
)
-- A refused row sent again keeps one dead letter.
ENGINE = ReplacingMergeTree(FailedAt)
PARTITION BY toYYYYMM(FailedAt)
ORDER BY (OrgId, TableName, RowHash)
