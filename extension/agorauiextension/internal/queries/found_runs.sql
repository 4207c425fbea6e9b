-- The runs a resolved search found, in the list's order, with their status
-- only: the counts and the page's ids (the page's rows are read by id).
SELECT ExecutionId, Status
FROM {{ident .Database}}.executions FINAL
WHERE OrgId = ? AND NOT Deleted
  AND (? = '' OR ProjectName = ?)
  AND (? = '' OR WorkflowName = ?)
  AND StartedAt >= ? AND StartedAt < ?
  AND ExecutionId IN ?
ORDER BY {{.Sort}} {{.Order}}, ExecutionId
-- Versions of an execution share a start date (the processor keeps it), so
-- FINAL may work partition by partition, reading only the days asked for.
SETTINGS do_not_merge_across_partitions_select_final = 1
