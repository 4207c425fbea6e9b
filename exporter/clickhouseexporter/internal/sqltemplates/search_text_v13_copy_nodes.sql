-- The text of node_executions stored before search_text_nodes_mv existed.
INSERT INTO {{ident .Database}}.search_text
SELECT OrgId, StartedAt, ExecutionId, NodeExecutionId AS ItemId, f.1 AS Field, substring(f.2, 1, 16384) AS Text, Version
FROM {{ident .Database}}.node_executions
ARRAY JOIN [('error', ErrorMessage), ('input', Input), ('output', Output)] AS f
WHERE NOT Deleted AND f.2 != ''
