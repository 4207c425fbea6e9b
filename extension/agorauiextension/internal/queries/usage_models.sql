-- Tokens and cost of node executions' LLM calls by day, model and provider
-- over the window (the by-model totals are summed from it), from the
-- node executions that have usage.
SELECT
    toDate(StartedAt) AS day,
    if(Model = '', 'unknown', Model) AS model,
    Provider AS provider,
    count() AS node_runs,
    sum(ifNull(PromptTokens, 0)) AS prompt_tokens,
    sum(ifNull(CompletionTokens, 0)) AS completion_tokens,
    sum(ifNull(TotalTokens, 0)) AS total_tokens,
    sum(ifNull(EstimatedCost, 0)) AS cost
FROM {{ident .Database}}.node_usage FINAL
WHERE OrgId = ? AND StartedAt >= ? AND StartedAt < ? AND NOT Deleted
  AND (TotalTokens IS NOT NULL OR EstimatedCost IS NOT NULL)
  AND (? = '' OR WorkflowName = ?)
GROUP BY day, model, provider
ORDER BY day, model, provider
LIMIT 20000
SETTINGS do_not_merge_across_partitions_select_final = 1
