SELECT Status AS status, count() AS n
FROM {{ident .Database}}.executions FINAL
WHERE OrgId = ?
  AND (? = '' OR ProjectName = ?)
  AND (? = '' OR WorkflowName = ?)
  AND StartedAt >= ? AND StartedAt < ?
GROUP BY Status
