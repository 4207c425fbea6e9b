CREATE MATERIALIZED VIEW IF NOT EXISTS {{ident .Database}}.node_usage_mv
TO {{ident .Database}}.node_usage
AS SELECT
    OrgId, StartedAt, ProjectName, WorkflowName, NodeExecutionId, Model, Provider,
    PromptTokens, CompletionTokens, TotalTokens, EstimatedCost, Deleted, Version
FROM {{ident .Database}}.node_executions
WHERE TotalTokens IS NOT NULL OR EstimatedCost IS NOT NULL OR Deleted
