-- Runs only while the old table exists; copying twice is harmless (min/max).
INSERT INTO {{ident .Database}}.spans_trace_id_ts
SELECT OrgId, TraceId, min(Start), max(End)
FROM {{ident .Database}}.trace_id_ts
GROUP BY OrgId, TraceId
