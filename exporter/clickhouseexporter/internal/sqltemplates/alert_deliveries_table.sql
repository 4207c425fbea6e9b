CREATE TABLE IF NOT EXISTS {{ident .Database}}.alert_deliveries (
    OrgId LowCardinality(String),
    EventId UUID,
    -- Attempt n is claimed (Outcome 'claimed', deduplicated by event and n,
    -- so one replica makes it), then recorded ('delivered' or 'failed').
    Attempt UInt32,
    Outcome LowCardinality(String),
    StatusCode UInt16,
    Error String,
    At DateTime64(3),
    Holder String
)
ENGINE = MergeTree
ORDER BY (OrgId, EventId, Attempt, At)
{{- if .TTLSeconds}}
TTL toDateTime(At) + toIntervalSecond({{.TTLSeconds}})
{{- end}}
SETTINGS non_replicated_deduplication_window = 100000
