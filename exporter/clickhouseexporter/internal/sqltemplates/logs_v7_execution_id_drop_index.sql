ALTER TABLE {{ident .Database}}.logs DROP INDEX IF EXISTS idx_execution_id
