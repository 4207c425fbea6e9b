SELECT
    toString(ExecutionId) AS execution_id, ProjectName AS project_name, WorkflowName AS workflow_name,
    Status AS status, StartedAt AS started_at, CompletedAt AS completed_at, DurationMs AS duration_ms,
    NodeCount AS node_count, ErrorCount AS error_count, RetryCount AS retry_count,
    PromptTokens AS prompt_tokens, CompletionTokens AS completion_tokens, TotalTokens AS total_tokens,
    EstimatedCost AS estimated_cost, ErrorMessage AS error_message, Input AS input, Output AS output,
    LastSeen AS last_seen, Source AS source
FROM {{ident .Database}}.executions FINAL
WHERE OrgId = ? AND ExecutionId = ?
-- Versions of an execution share a start date (the processor keeps it), so
-- FINAL may work partition by partition, reading only the days asked for.
SETTINGS do_not_merge_across_partitions_select_final = 1
