SELECT * EXCEPT OrgId
FROM {{ident .Database}}.events FINAL
WHERE OrgId = ? AND ExecutionId = ?
ORDER BY Timestamp
LIMIT 1000
