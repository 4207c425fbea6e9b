SELECT Timestamp AS timestamp, Body AS body
FROM {{ident .Database}}.logs FINAL
WHERE OrgId = ? AND EventName = 'agora.state.snapshot' AND ExecutionId = ?
ORDER BY Timestamp
LIMIT 200
