SELECT
    toString(NodeExecutionId) AS node_execution_id, NodeName AS node_name, NodeType AS node_type, Status AS status,
    StartedAt AS started_at, CompletedAt AS completed_at, PrepDurationMs AS prep_duration_ms,
    ExecDurationMs AS exec_duration_ms, PostDurationMs AS post_duration_ms, RetryCount AS retry_count,
    ErrorMessage AS error_message, NextAction AS next_action, Input AS input, Output AS output,
    TotalTokens AS total_tokens, EstimatedCost AS estimated_cost
FROM {{ident .Database}}.node_executions FINAL
WHERE OrgId = ? AND ExecutionId = ?
ORDER BY StartedAt, NodeName
LIMIT 1000
