INSERT INTO {{ident .Database}}.logs (
    OrgId, RecordId, ExecutionId, Timestamp, ObservedTimestamp, EventName, TraceId, SpanId,
    SeverityText, SeverityNumber, ServiceName, Body, ResourceAttributes, ScopeName, LogAttributes
)
