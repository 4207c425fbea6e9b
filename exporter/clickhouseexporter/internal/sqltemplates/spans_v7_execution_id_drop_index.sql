ALTER TABLE {{ident .Database}}.spans DROP INDEX IF EXISTS idx_execution_id
