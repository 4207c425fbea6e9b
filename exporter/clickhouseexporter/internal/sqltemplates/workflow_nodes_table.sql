CREATE TABLE IF NOT EXISTS {{ident .Database}}.workflow_nodes (
    OrgId LowCardinality(String) CODEC(ZSTD(1)),
    WorkflowId UUID CODEC(ZSTD(1)),
    NodeId UUID CODEC(ZSTD(1)),
    ProjectName LowCardinality(String) CODEC(ZSTD(1)),
    WorkflowName LowCardinality(String) CODEC(ZSTD(1)),
    Name String CODEC(ZSTD(1)),
    Type LowCardinality(String) CODEC(ZSTD(1)),
    Code String CODEC(ZSTD(3)),
    Config String CODEC(ZSTD(3)),
    RegisteredAt DateTime64(6) CODEC(Delta, ZSTD(1))
)
-- A workflow's graph as its SDK last registered it: one row per node, the
-- newest registration wins.
ENGINE = ReplacingMergeTree(RegisteredAt)
ORDER BY (OrgId, WorkflowId, NodeId)
