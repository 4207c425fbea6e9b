SELECT OrgId, WorkflowId, NodeId, ProjectName, WorkflowName, Name, Type, Code, Config, RegisteredAt
FROM {{ident .Database}}.workflow_nodes FINAL
WHERE OrgId = ? AND WorkflowId = ?
ORDER BY Name
LIMIT 2000
