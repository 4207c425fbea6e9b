-- Executions' tokens and cost by day over the window.
SELECT
    toDate(StartedAt) AS day,
    count() AS executions,
    sum(PromptTokens) AS prompt_tokens,
    sum(CompletionTokens) AS completion_tokens,
    sum(TotalTokens) AS total_tokens,
    sum(EstimatedCost) AS cost
FROM {{ident .Database}}.executions FINAL
WHERE OrgId = ? AND NOT Deleted AND StartedAt >= ? AND StartedAt < ?
  AND (? = '' OR WorkflowName = ?)
GROUP BY day
ORDER BY day
LIMIT 5000
SETTINGS do_not_merge_across_partitions_select_final = 1
