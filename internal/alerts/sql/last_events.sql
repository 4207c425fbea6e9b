-- Each rule's newest state change: where its state stands.
SELECT OrgId, RuleId, max(Seq) AS LastSeq, argMax(State, Seq) AS LastState
FROM {{ident .Database}}.alert_events
WHERE Seq > 0
GROUP BY OrgId, RuleId
