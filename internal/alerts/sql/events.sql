-- An org's alert history, newest first, with each event's delivery.
SELECT e.*, d.Attempts, d.LastOutcome, d.LastStatusCode, d.LastError, d.LastAt
FROM {{ident .Database}}.alert_events AS e
LEFT JOIN (
    SELECT EventId, max(Attempt) AS Attempts,
           argMax(Outcome, (Attempt, Outcome != 'claimed', At)) AS LastOutcome,
           argMax(StatusCode, (Attempt, Outcome != 'claimed', At)) AS LastStatusCode,
           argMax(Error, (Attempt, Outcome != 'claimed', At)) AS LastError,
           max(At) AS LastAt
    FROM {{ident .Database}}.alert_deliveries
    WHERE OrgId = ?
    GROUP BY EventId
) AS d ON d.EventId = e.EventId
WHERE e.OrgId = ? AND (? = '' OR toString(e.RuleId) = ?)
ORDER BY e.At DESC, e.EventId
LIMIT ?
