INSERT INTO {{ident .Database}}.schema_migrations (Version, Name) VALUES (?, ?)
