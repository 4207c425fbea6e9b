-- Tokens and cost of node executions by model and provider over the window
-- (and per day when bucketed by day).
SELECT
    {{- if .Daily}}
    toDate(StartedAt) AS day,
    {{- end}}
    if(Model = '', 'unknown', Model) AS model,
    Provider AS provider,
    count() AS node_runs,
    sum(ifNull(PromptTokens, 0)) AS prompt_tokens,
    sum(ifNull(CompletionTokens, 0)) AS completion_tokens,
    sum(ifNull(TotalTokens, 0)) AS total_tokens,
    sum(ifNull(EstimatedCost, 0)) AS cost
FROM {{ident .Database}}.node_runs FINAL
WHERE OrgId = ? AND StartedAt >= ? AND StartedAt < ? AND NOT Deleted
  AND (TotalTokens IS NOT NULL OR EstimatedCost IS NOT NULL)
  AND (? = '' OR WorkflowName = ?)
GROUP BY {{if .Daily}}day, {{end}}model, provider
ORDER BY {{if .Daily}}day, {{end}}cost DESC, total_tokens DESC
LIMIT 5000
SETTINGS do_not_merge_across_partitions_select_final = 1
