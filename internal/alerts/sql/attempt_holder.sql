SELECT Holder FROM {{ident .Database}}.alert_deliveries
WHERE OrgId = ? AND EventId = ? AND Attempt = ? AND Outcome = 'claimed'
ORDER BY At
LIMIT 1
