SELECT
    any(WorkflowId) AS workflow_id, ProjectName AS project_name, WorkflowName AS workflow_name, count() AS executions,
    countIf(Status = 'success') AS success, countIf(Status = 'error') AS error,
    countIf(Status = 'running') AS running, countIf(Status = 'timeout') AS timeout,
    max(StartedAt) AS last_started_at
FROM {{ident .Database}}.executions FINAL
WHERE OrgId = ? AND NOT Deleted
  AND StartedAt >= ? AND StartedAt < ?
GROUP BY ProjectName, WorkflowName
ORDER BY last_started_at DESC
LIMIT 500
-- Versions of an execution share a start date (the processor keeps it), so
-- FINAL may work partition by partition, reading only the days asked for.
SETTINGS do_not_merge_across_partitions_select_final = 1
