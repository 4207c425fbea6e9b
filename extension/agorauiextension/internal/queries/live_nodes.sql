-- Node execution versions since the live tail's cursor, from node_runs
-- (ordered by org and day: a recent window is a key range).
SELECT ExecutionId, NodeExecutionId, ProjectName, WorkflowId, WorkflowName, NodeName, Status, StartedAt, CompletedAt,
       RetryCount, NextAction, PromptTokens, CompletionTokens, TotalTokens, EstimatedCost, Model, Provider, Version
FROM {{ident .Database}}.node_runs
WHERE OrgId = ? AND toDate(StartedAt) >= toDate(?) AND Version > ? AND NOT Deleted
ORDER BY Version
LIMIT ?
