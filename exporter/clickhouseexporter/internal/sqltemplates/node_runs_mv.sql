CREATE MATERIALIZED VIEW IF NOT EXISTS {{ident .Database}}.node_runs_mv
TO {{ident .Database}}.node_runs
AS SELECT
    OrgId, WorkflowId, ProjectName, WorkflowName, ExecutionId, NodeExecutionId, NodeName, Status, StartedAt, CompletedAt,
    RetryCount, NextAction, PromptTokens, CompletionTokens, TotalTokens, EstimatedCost, Model, Provider, Deleted, Version
FROM {{ident .Database}}.node_executions
