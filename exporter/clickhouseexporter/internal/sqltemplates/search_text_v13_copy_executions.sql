-- The text of executions stored before search_text_executions_mv existed.
INSERT INTO {{ident .Database}}.search_text
SELECT OrgId, StartedAt, ExecutionId, ExecutionId AS ItemId, f.1 AS Field, substring(f.2, 1, 16384) AS Text, Version
FROM {{ident .Database}}.executions
ARRAY JOIN [('error', ErrorMessage), ('input', Input), ('output', Output)] AS f
WHERE NOT Deleted AND f.2 != ''
