-- Node execution versions since the live tail's cursor, from node_runs
-- (ordered by org and day: a recent window is a key range).
SELECT ExecutionId, NodeExecutionId, WorkflowName, NodeName, Status, StartedAt, CompletedAt, RetryCount,
       TotalTokens, EstimatedCost, Model, Version
FROM {{ident .Database}}.node_runs
WHERE OrgId = ? AND toDate(StartedAt) >= toDate(?) AND Version > ? AND NOT Deleted
ORDER BY Version
LIMIT ?
