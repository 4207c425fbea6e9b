SELECT Timestamp, Body
FROM {{ident .Database}}.logs FINAL
WHERE OrgId = ? AND ExecutionId = ? AND EventName = ?
ORDER BY Timestamp
LIMIT 200
