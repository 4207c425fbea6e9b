CREATE TABLE IF NOT EXISTS {{ident .Database}}.schema_migrations (
    Version UInt32,
    Name String,
    AppliedAt DateTime64(3) DEFAULT now64(3)
) ENGINE = ReplacingMergeTree(AppliedAt)
ORDER BY Version
