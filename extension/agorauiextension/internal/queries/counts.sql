SELECT Status AS status, count() AS n
FROM {{ident .Database}}.executions FINAL
WHERE OrgId = ? AND NOT Deleted
  AND (? = '' OR ProjectName = ?)
  AND (? = '' OR WorkflowName = ?)
  AND StartedAt >= ? AND StartedAt < ?
{{- template "run_filters" .}}
GROUP BY Status
-- Versions of an execution share a start date (the processor keeps it), so
-- FINAL may work partition by partition, reading only the days asked for.
SETTINGS do_not_merge_across_partitions_select_final = 1
