INSERT INTO {{ident .Database}}.alert_rules
