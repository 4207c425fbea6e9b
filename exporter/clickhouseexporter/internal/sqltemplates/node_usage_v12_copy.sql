-- The node executions with usage stored before node_usage_mv existed.
INSERT INTO {{ident .Database}}.node_usage
SELECT
    OrgId, StartedAt, ProjectName, WorkflowName, NodeExecutionId, Model, Provider,
    PromptTokens, CompletionTokens, TotalTokens, EstimatedCost, Deleted, Version
FROM {{ident .Database}}.node_executions
WHERE TotalTokens IS NOT NULL OR EstimatedCost IS NOT NULL OR Deleted
