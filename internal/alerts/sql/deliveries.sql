SELECT * FROM {{ident .Database}}.alert_deliveries
WHERE OrgId = ? AND EventId = ?
ORDER BY Attempt, At
LIMIT 1000
