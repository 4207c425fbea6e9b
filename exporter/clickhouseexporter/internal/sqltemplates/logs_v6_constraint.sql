-- As spans_v6_constraint.sql: a log record before 2000 is an unset clock.
ALTER TABLE {{ident .Database}}.logs ADD CONSTRAINT IF NOT EXISTS timestamp_after_2000 CHECK Timestamp >= toDateTime64('2000-01-01 00:00:00', 9, 'UTC')
