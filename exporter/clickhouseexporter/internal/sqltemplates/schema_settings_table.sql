-- Table settings the config names (ttl), as last applied: a changed value
-- is applied at start and recorded here, like a migration.
CREATE TABLE IF NOT EXISTS {{ident .Database}}.schema_settings (
    Name LowCardinality(String),
    Value String,
    AppliedAt DateTime64(3) DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree(AppliedAt)
ORDER BY Name
