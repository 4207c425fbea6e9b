SELECT Status AS status, count() AS n
FROM {{ident .Database}}.executions FINAL
WHERE OrgId = ? AND NOT Deleted
  AND (? = '' OR ProjectName = ?)
  AND (? = '' OR WorkflowName = ?)
  AND StartedAt >= ? AND StartedAt < ?
{{- if .Node}}
  -- Only where the node failed or retried.
  AND ExecutionId IN (
      SELECT ExecutionId FROM {{ident .Database}}.node_runs
      WHERE OrgId = ? AND NodeName = ? AND (Status = 'error' OR RetryCount > 0) AND StartedAt >= ? AND StartedAt < ?)
{{- end}}
{{- if .IDs}}
  -- Only the runs the search found (search_ids).
  AND ExecutionId IN ?
{{- else if .Search}}
  -- Only where one text (an error, input or output of the run or one of
  -- its nodes) holds every word searched for; nodes start after their run.
  AND ExecutionId IN (
      SELECT ExecutionId FROM {{ident .Database}}.search_text
      WHERE OrgId = ? AND StartedAt >= ? AND StartedAt < ? AND hasAllTokens(Text, ?))
{{- end}}
GROUP BY Status
-- Versions of an execution share a start date (the processor keeps it), so
-- FINAL may work partition by partition, reading only the days asked for.
SETTINGS do_not_merge_across_partitions_select_final = 1
