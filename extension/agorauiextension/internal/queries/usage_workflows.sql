-- Executions' tokens and cost (their whole usage, calls outside nodes
-- included) by day and workflow over the window (by workflow and by day
-- are summed from it).
SELECT
    toDate(StartedAt) AS day,
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
GROUP BY day, project_name, workflow_name
ORDER BY day, project_name, workflow_name
LIMIT 20000
SETTINGS do_not_merge_across_partitions_select_final = 1
