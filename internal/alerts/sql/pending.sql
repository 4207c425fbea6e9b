-- State changes of the last day not yet delivered or abandoned, with
-- their last attempt: the delivery loop's work.
SELECT e.*, d.Attempts, d.LastOutcome, d.LastAt
FROM {{ident .Database}}.alert_events AS e
LEFT JOIN (
    SELECT OrgId, EventId, max(Attempt) AS Attempts,
           argMax(Outcome, (Attempt, Outcome != 'claimed', At)) AS LastOutcome,
           max(At) AS LastAt,
           countIf(Outcome IN ('delivered', 'abandoned')) AS Done
    FROM {{ident .Database}}.alert_deliveries
    WHERE At >= ?
    GROUP BY OrgId, EventId
) AS d ON d.OrgId = e.OrgId AND d.EventId = e.EventId
WHERE e.At >= ? AND e.Seq > 0 AND d.Done = 0
ORDER BY e.At
LIMIT 1000
