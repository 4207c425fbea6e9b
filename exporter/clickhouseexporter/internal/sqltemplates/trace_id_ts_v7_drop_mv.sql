DROP VIEW IF EXISTS {{ident .Database}}.trace_id_ts_mv
