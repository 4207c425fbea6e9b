DROP TABLE IF EXISTS {{ident .Database}}.trace_id_ts
