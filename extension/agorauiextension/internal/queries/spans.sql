-- The execution's spans: those filed under it, and every span of the traces
-- its record names (children stored before their flow span named the run).
SELECT TraceId, SpanId, ParentSpanId, SpanName, SpanKind, StatusCode, StatusMessage, Timestamp, Duration, SpanAttributes
FROM {{ident .Database}}.spans FINAL
WHERE OrgId = ? AND (ExecutionId = ? OR TraceId IN ?)
ORDER BY Timestamp
LIMIT 2000
