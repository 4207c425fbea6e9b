-- Who recorded a rule's Seq-th change: one row, as the insert's
-- deduplication token leaves only one.
SELECT Holder, EventId FROM {{ident .Database}}.alert_events
WHERE OrgId = ? AND RuleId = ? AND Seq = ?
ORDER BY At, EventId
LIMIT 1
