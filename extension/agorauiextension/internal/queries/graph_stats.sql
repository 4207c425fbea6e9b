-- Per node of one workflow over the window: runs, errors, retries and
-- duration percentiles, from node_runs (a key range: org, day, workflow).
SELECT
    NodeName AS node_name,
    count() AS runs,
    countIf(Status = 'error') AS errors,
    sum(RetryCount) AS retries,
    ifNotFinite(quantile(0.5)(d), 0) AS p50_ms,
    ifNotFinite(quantile(0.95)(d), 0) AS p95_ms
FROM (
    SELECT NodeName, Status, RetryCount, dateDiff('millisecond', StartedAt, CompletedAt) AS d
    FROM {{ident .Database}}.node_runs FINAL
    WHERE OrgId = ? AND WorkflowId = ? AND StartedAt >= ? AND StartedAt < ? AND NOT Deleted
    SETTINGS do_not_merge_across_partitions_select_final = 1
)
GROUP BY node_name
ORDER BY node_name
LIMIT 2000
