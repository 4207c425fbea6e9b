CREATE MATERIALIZED VIEW IF NOT EXISTS {{ident .Database}}.search_text_nodes_mv
TO {{ident .Database}}.search_text
AS SELECT OrgId, StartedAt, ExecutionId, NodeExecutionId AS ItemId, f.1 AS Field, substring(f.2, 1, 16384) AS Text, Version
FROM {{ident .Database}}.node_executions
ARRAY JOIN [('error', ErrorMessage), ('input', Input), ('output', Output)] AS f
WHERE NOT Deleted AND f.2 != ''
