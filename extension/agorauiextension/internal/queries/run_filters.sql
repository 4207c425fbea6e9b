{{- /* The list's and counts' filters beyond the columns: a node's failures
and retries, and search (by the ids it found, or the search itself). Their
arguments: filters.subqueryArgs. */ -}}
{{define "run_filters"}}{{- if .Node}}
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
{{- end}}
