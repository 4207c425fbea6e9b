CREATE TABLE IF NOT EXISTS {{ident .Database}}.workflow_edges (
    OrgId LowCardinality(String) CODEC(ZSTD(1)),
    WorkflowId UUID CODEC(ZSTD(1)),
    EdgeId UUID CODEC(ZSTD(1)),
    FromNodeId UUID CODEC(ZSTD(1)),
    ToNodeId UUID CODEC(ZSTD(1)),
    Action LowCardinality(String) CODEC(ZSTD(1)),
    RegisteredAt DateTime64(6) CODEC(Delta, ZSTD(1))
)
-- One row per edge (from, to) of a workflow, the newest registration wins.
ENGINE = ReplacingMergeTree(RegisteredAt)
ORDER BY (OrgId, WorkflowId, EdgeId)
