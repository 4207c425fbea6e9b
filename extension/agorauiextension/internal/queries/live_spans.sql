-- Spans that started since the live tail's cursor (spans carry no arrival
-- time), oldest first.
SELECT ExecutionId, Timestamp, TraceId, SpanId, SpanName, StatusCode, Duration, SpanAttributes
FROM {{ident .Database}}.spans
WHERE OrgId = ? AND toDate(Timestamp) >= toDate(?) AND Timestamp >= ?
ORDER BY Timestamp
LIMIT ?
