CREATE TABLE IF NOT EXISTS {{ident .Database}}.alert_rules (
    OrgId LowCardinality(String),
    RuleId UUID,
    Name String,
    Kind LowCardinality(String),
    ProjectName String,
    WorkflowName String,
    WindowSeconds UInt32,
    Threshold Float64,
    MinSamples UInt32,
    WebhookURL String,
    WebhookFormat LowCardinality(String),
    Enabled Bool,
    Deleted Bool,
    CreatedAt DateTime64(3),
    UpdatedAt DateTime64(6)
)
-- One row per version of a rule, as the UI and API saved it; the newest wins.
ENGINE = ReplacingMergeTree(UpdatedAt)
ORDER BY (OrgId, RuleId)
