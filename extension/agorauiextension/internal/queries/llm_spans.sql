-- The execution's spans with their events: the LLM-call inspector picks
-- the calls and their steps out of them.
SELECT Timestamp, TraceId, SpanId, ParentSpanId, SpanName, StatusCode, StatusMessage, Duration, SpanAttributes,
       Events.Timestamp, Events.Name, Events.Attributes
FROM {{ident .Database}}.spans FINAL
WHERE OrgId = ? AND (ExecutionId = ? OR TraceId IN ?)
ORDER BY Timestamp
LIMIT 2000
