CREATE TABLE IF NOT EXISTS {{ident .Database}}.alert_events (
    OrgId LowCardinality(String),
    RuleId UUID,
    -- The rule's Seq-th state change (0 for a test notification). The
    -- insert that records it carries a deduplication token of rule and
    -- Seq: of replicas recording the same change, one row lands, and its
    -- Holder delivers it. No TTL: a rule's state is its newest row, and
    -- there is one row per change.
    Seq UInt64,
    EventId UUID,
    State LowCardinality(String),
    Value Float64,
    Samples UInt64,
    RuleName String,
    Kind LowCardinality(String),
    ProjectName String,
    WorkflowName String,
    WindowSeconds UInt32,
    Threshold Float64,
    MinSamples UInt32,
    WebhookURL String,
    WebhookFormat LowCardinality(String),
    At DateTime64(3),
    Holder String
)
ENGINE = MergeTree
ORDER BY (OrgId, RuleId, Seq, At)
SETTINGS non_replicated_deduplication_window = 100000
