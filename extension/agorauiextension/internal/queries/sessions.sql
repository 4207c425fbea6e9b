-- Runs grouped by session (or user): totals and the time they span.
SELECT
    {{.Group}} AS id,
    count() AS runs,
    countIf(Status = 'error') AS errors,
    countIf(Status = 'timeout') AS timeouts,
    countIf(Status = 'running') AS running,
    sum(TotalTokens) AS tokens,
    sum(EstimatedCost) AS cost,
    sum(ifNull(DurationMs, 0)) AS duration_ms,
    min(StartedAt) AS first_started_at,
    max(StartedAt) AS last_started_at,
    arraySort(groupUniqArray(10)(WorkflowName)) AS workflows,
    arraySort(groupUniqArray(10)({{if eq .Group "SessionId"}}UserId{{else}}SessionId{{end}})) AS {{if eq .Group "SessionId"}}users{{else}}sessions{{end}}
FROM {{ident .Database}}.executions FINAL
WHERE OrgId = ? AND NOT Deleted AND {{.Group}} != ''
  AND (? = '' OR ProjectName = ?)
  AND (? = '' OR WorkflowName = ?)
  AND StartedAt >= ? AND StartedAt < ?
GROUP BY id
ORDER BY last_started_at DESC, id
LIMIT ? OFFSET ?
SETTINGS do_not_merge_across_partitions_select_final = 1
