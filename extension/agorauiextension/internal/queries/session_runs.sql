-- One session's (or user's) runs, in order.
SELECT
    ExecutionId, ProjectId, ProjectName, WorkflowId, WorkflowName, Status, StartedAt, CompletedAt, DurationMs,
    NodeCount, ErrorCount, RetryCount, PromptTokens, CompletionTokens, TotalTokens, EstimatedCost, ErrorMessage, LastSeen,
    SessionId, UserId
FROM {{ident .Database}}.executions FINAL
WHERE OrgId = ? AND NOT Deleted AND {{.Group}} = ?
  AND StartedAt >= ? AND StartedAt < ?
ORDER BY StartedAt, ExecutionId
LIMIT 1000
SETTINGS do_not_merge_across_partitions_select_final = 1
