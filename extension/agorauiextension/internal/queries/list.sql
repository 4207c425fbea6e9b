SELECT
    toString(ExecutionId) AS execution_id, ProjectName AS project_name, WorkflowName AS workflow_name,
    Status AS status, StartedAt AS started_at, CompletedAt AS completed_at, DurationMs AS duration_ms,
    NodeCount AS node_count, ErrorCount AS error_count, RetryCount AS retry_count,
    TotalTokens AS total_tokens, EstimatedCost AS estimated_cost, ErrorMessage AS error_message
FROM {{ident .Database}}.executions FINAL
WHERE OrgId = ?
  AND (? = '' OR Status = ?)
  AND (? = '' OR ProjectName = ?)
  AND (? = '' OR WorkflowName = ?)
  AND StartedAt >= ? AND StartedAt < ?
ORDER BY {{.Sort}} {{.Order}}, ExecutionId
LIMIT ? OFFSET ?
-- Versions of an execution share a start date (the processor keeps it), so
-- FINAL may work partition by partition, reading only the days asked for.
SETTINGS do_not_merge_across_partitions_select_final = 1
