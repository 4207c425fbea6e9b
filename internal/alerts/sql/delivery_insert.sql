INSERT INTO {{ident .Database}}.alert_deliveries
