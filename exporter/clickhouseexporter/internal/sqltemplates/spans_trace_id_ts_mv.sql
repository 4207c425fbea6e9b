CREATE MATERIALIZED VIEW IF NOT EXISTS {{ident .Database}}.spans_trace_id_ts_mv
TO {{ident .Database}}.spans_trace_id_ts
AS SELECT
    OrgId,
    TraceId,
    min(Timestamp) AS Start,
    max(Timestamp) AS End
FROM {{ident .Database}}.spans
WHERE TraceId != ''
GROUP BY OrgId, TraceId
