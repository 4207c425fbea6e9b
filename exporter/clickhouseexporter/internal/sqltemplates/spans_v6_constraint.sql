-- A span starting before 2000 is a sender's unset clock, never data: the
-- exporter clamps span times into its window, so only a configuration
-- without that window stores such a row, and ClickHouse refuses it then
-- (it goes to dead_letters).
ALTER TABLE {{ident .Database}}.spans ADD CONSTRAINT IF NOT EXISTS timestamp_after_2000 CHECK Timestamp >= toDateTime64('2000-01-01 00:00:00', 9, 'UTC')
