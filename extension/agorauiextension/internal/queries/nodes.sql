SELECT * EXCEPT (OrgId, Deleted, Version)
FROM {{ident .Database}}.node_executions FINAL
WHERE OrgId = ? AND ExecutionId = ? AND NOT Deleted
ORDER BY StartedAt, NodeName
LIMIT 1000
