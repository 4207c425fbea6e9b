SELECT DISTINCT Version FROM {{ident .Database}}.schema_migrations
