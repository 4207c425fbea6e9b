package agora

import (
	"time"

	"github.com/google/uuid"
)

// Alerts: rules an org sets over its executions, the state changes the
// collector records for them, and the webhook deliveries of those changes.

// AlertKind is what a rule measures over its window.
type AlertKind string

const (
	// AlertErrorRate: the share of finished executions that ended in error
	// or timeout, 0 to 1.
	AlertErrorRate AlertKind = "error_rate"
	// AlertTimeouts: executions that timed out.
	AlertTimeouts AlertKind = "timeout_count"
	// AlertP95Duration: the 95th percentile of finished executions'
	// durations, in seconds.
	AlertP95Duration AlertKind = "p95_duration"
	// AlertTokens: LLM tokens of the executions.
	AlertTokens AlertKind = "tokens"
	// AlertCost: estimated LLM cost of the executions.
	AlertCost AlertKind = "cost"
)

// AlertKinds are the kinds a rule accepts.
var AlertKinds = []AlertKind{AlertErrorRate, AlertTimeouts, AlertP95Duration, AlertTokens, AlertCost}

// AlertState is an alert event's state.
type AlertState string

const (
	AlertFiring   AlertState = "firing"
	AlertResolved AlertState = "resolved"
	// AlertTest is a notification sent from the UI's "send test".
	AlertTest AlertState = "test"
)

// WebhookFormat is the payload a rule's webhook gets.
type WebhookFormat string

const (
	WebhookGeneric WebhookFormat = "generic"
	WebhookSlack   WebhookFormat = "slack"
)

// WebhookFormats are the formats a rule accepts.
var WebhookFormats = []WebhookFormat{WebhookGeneric, WebhookSlack}

// DeliveryOutcome is a delivery attempt's row.
type DeliveryOutcome string

const (
	// DeliveryClaimed: a replica took the attempt (one per attempt).
	DeliveryClaimed DeliveryOutcome = "claimed"
	// DeliveryDelivered: the webhook answered 2xx.
	DeliveryDelivered DeliveryOutcome = "delivered"
	// DeliveryFailed: no 2xx answer; retried with backoff.
	DeliveryFailed DeliveryOutcome = "failed"
	// DeliveryAbandoned: the attempts ran out.
	DeliveryAbandoned DeliveryOutcome = "abandoned"
)

// AlertRuleRow is a row of alert_rules: one version of a rule.
type AlertRuleRow struct {
	OrgID         string    `ch:"OrgId" json:"-"`
	RuleID        uuid.UUID `ch:"RuleId" json:"id"`
	Name          string    `ch:"Name" json:"name"`
	Kind          string    `ch:"Kind" json:"kind"`
	ProjectName   string    `ch:"ProjectName" json:"project_name"`
	WorkflowName  string    `ch:"WorkflowName" json:"workflow_name"`
	WindowSeconds uint32    `ch:"WindowSeconds" json:"window_seconds"`
	Threshold     float64   `ch:"Threshold" json:"threshold"`
	MinSamples    uint32    `ch:"MinSamples" json:"min_samples"`
	WebhookURL    string    `ch:"WebhookURL" json:"webhook_url"`
	WebhookFormat string    `ch:"WebhookFormat" json:"webhook_format"`
	Enabled       bool      `ch:"Enabled" json:"enabled"`
	Deleted       bool      `ch:"Deleted" json:"-"`
	CreatedAt     time.Time `ch:"CreatedAt" json:"created_at"`
	UpdatedAt     time.Time `ch:"UpdatedAt" json:"updated_at"`
}

// AlertEventRow is a row of alert_events: a rule's state change (or a test
// notification), with the rule as it was then.
type AlertEventRow struct {
	OrgID         string    `ch:"OrgId" json:"-"`
	RuleID        uuid.UUID `ch:"RuleId" json:"rule_id"`
	Seq           uint64    `ch:"Seq" json:"seq"`
	EventID       uuid.UUID `ch:"EventId" json:"id"`
	State         string    `ch:"State" json:"state"`
	Value         float64   `ch:"Value" json:"value"`
	Samples       uint64    `ch:"Samples" json:"samples"`
	RuleName      string    `ch:"RuleName" json:"rule_name"`
	Kind          string    `ch:"Kind" json:"kind"`
	ProjectName   string    `ch:"ProjectName" json:"project_name"`
	WorkflowName  string    `ch:"WorkflowName" json:"workflow_name"`
	WindowSeconds uint32    `ch:"WindowSeconds" json:"window_seconds"`
	Threshold     float64   `ch:"Threshold" json:"threshold"`
	MinSamples    uint32    `ch:"MinSamples" json:"min_samples"`
	WebhookURL    string    `ch:"WebhookURL" json:"-"`
	WebhookFormat string    `ch:"WebhookFormat" json:"webhook_format"`
	At            time.Time `ch:"At" json:"at"`
	Holder        string    `ch:"Holder" json:"-"`
}

// AlertDeliveryRow is a row of alert_deliveries: one step of an attempt.
type AlertDeliveryRow struct {
	OrgID      string    `ch:"OrgId" json:"-"`
	EventID    uuid.UUID `ch:"EventId" json:"event_id"`
	Attempt    uint32    `ch:"Attempt" json:"attempt"`
	Outcome    string    `ch:"Outcome" json:"outcome"`
	StatusCode uint16    `ch:"StatusCode" json:"status_code"`
	Error      string    `ch:"Error" json:"error"`
	At         time.Time `ch:"At" json:"at"`
	Holder     string    `ch:"Holder" json:"-"`
}
