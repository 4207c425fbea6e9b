SELECT
    TraceId AS trace_id, SpanId AS span_id, ParentSpanId AS parent_span_id, SpanName AS name, SpanKind AS kind,
    StatusCode AS status, StatusMessage AS status_message, Timestamp AS start_time, Duration AS duration_ns,
    SpanAttributes AS attributes
FROM {{ident .Database}}.spans FINAL
WHERE OrgId = ? AND ExecutionId = ?
ORDER BY Timestamp
LIMIT 2000
