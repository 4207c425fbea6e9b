-- Execution versions emitted since the live tail's cursor (each version is
-- a whole record): runs started within the window, oldest version first.
SELECT
    ExecutionId, ProjectId, ProjectName, WorkflowId, WorkflowName, Status, StartedAt, CompletedAt, DurationMs,
    NodeCount, ErrorCount, RetryCount, PromptTokens, CompletionTokens, TotalTokens, EstimatedCost, ErrorMessage, LastSeen,
    SessionId, UserId, Version
FROM {{ident .Database}}.executions
WHERE OrgId = ? AND StartedAt >= ? AND Version > ? AND NOT Deleted
ORDER BY Version
LIMIT ?
