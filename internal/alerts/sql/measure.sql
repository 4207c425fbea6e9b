-- What a rule measures: over the org's executions that started within
-- the window, in its project and workflow ('' for all). Samples are the
-- finished executions (every execution for tokens and cost).
SELECT
    countIf(Status IN ('success', 'error', 'timeout')) AS finished,
    countIf(Status IN ('error', 'timeout')) AS failed,
    countIf(Status = 'timeout') AS timeouts,
    quantileExactIf(0.95)(ifNull(DurationMs, 0), Status IN ('success', 'error', 'timeout') AND DurationMs IS NOT NULL) AS p95_ms,
    count() AS executions,
    sum(TotalTokens) AS tokens,
    sum(EstimatedCost) AS cost
FROM {{ident .Database}}.executions FINAL
WHERE OrgId = ? AND NOT Deleted
  AND (? = '' OR ProjectName = ?)
  AND (? = '' OR WorkflowName = ?)
  AND StartedAt >= ?
-- Versions of an execution share a start date: FINAL per partition.
SETTINGS do_not_merge_across_partitions_select_final = 1
