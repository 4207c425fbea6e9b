INSERT INTO {{ident .Database}}.alert_events
