SELECT OrgId, WorkflowId, EdgeId, FromNodeId, ToNodeId, Action, RegisteredAt
FROM {{ident .Database}}.workflow_edges FINAL
WHERE OrgId = ? AND WorkflowId = ?
ORDER BY FromNodeId, ToNodeId
LIMIT 5000
