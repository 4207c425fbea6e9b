SELECT
    toStartOfInterval(StartedAt, toIntervalSecond(?)) AS t,
    count() AS executions,
    countIf(Status = 'error') AS errors,
    countIf(Status = 'timeout') AS timeouts,
    ifNotFinite(quantile(0.5)(DurationMs), 0) AS p50_ms,
    ifNotFinite(quantile(0.95)(DurationMs), 0) AS p95_ms,
    sum(TotalTokens) AS tokens,
    sum(EstimatedCost) AS cost
FROM {{ident .Database}}.executions FINAL
WHERE OrgId = ? AND NOT Deleted
  AND (? = '' OR Status = ?)
  AND (? = '' OR ProjectName = ?)
  AND (? = '' OR WorkflowName = ?)
  AND StartedAt >= ? AND StartedAt < ?
GROUP BY t
ORDER BY t
LIMIT 1000
-- Versions of an execution share a start date (the processor keeps it), so
-- FINAL may work partition by partition, reading only the days asked for.
SETTINGS do_not_merge_across_partitions_select_final = 1
