-- The node executions stored before node_runs_mv existed. Idempotent: a
-- row copied twice (or also by the view) is the same version of the same
-- key, one row after merge or FINAL.
INSERT INTO {{ident .Database}}.node_runs
SELECT
    OrgId, WorkflowId, ProjectName, WorkflowName, ExecutionId, NodeExecutionId, NodeName, Status, StartedAt, CompletedAt,
    RetryCount, NextAction, PromptTokens, CompletionTokens, TotalTokens, EstimatedCost, Model, Provider, Deleted, Version
FROM {{ident .Database}}.node_executions
