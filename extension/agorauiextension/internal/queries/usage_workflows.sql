-- Executions' tokens and cost (their whole usage, calls outside nodes
-- included) by workflow over the window.
SELECT
    ProjectName AS project_name,
    WorkflowName AS workflow_name,
    count() AS executions,
    sum(PromptTokens) AS prompt_tokens,
    sum(CompletionTokens) AS completion_tokens,
    sum(TotalTokens) AS total_tokens,
    sum(EstimatedCost) AS cost
FROM {{ident .Database}}.executions FINAL
WHERE OrgId = ? AND NOT Deleted AND StartedAt >= ? AND StartedAt < ?
  AND (? = '' OR WorkflowName = ?)
GROUP BY project_name, workflow_name
ORDER BY cost DESC, total_tokens DESC, workflow_name
LIMIT 5000
SETTINGS do_not_merge_across_partitions_select_final = 1
