SELECT toString(EventId) AS event_id, EventType AS event_type, Timestamp AS timestamp, Data AS data
FROM {{ident .Database}}.events FINAL
WHERE OrgId = ? AND ExecutionId = ?
ORDER BY Timestamp
LIMIT 1000
