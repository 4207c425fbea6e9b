package agora

import (
	"time"

	"github.com/google/uuid"
)

// Stored rows: the columns of the exporter's tables (`ch` tags) as the query
// API answers them (`json` tags). The exporter writes them from the records
// above; the UI and every test read them back into these types. Version
// columns order the versions of a row and are not part of the answer.

// ExecutionRow is a row of the executions table.
type ExecutionRow struct {
	OrgID            string     `ch:"OrgId" json:"-"`
	ExecutionID      uuid.UUID  `ch:"ExecutionId" json:"execution_id"`
	ProjectID        uuid.UUID  `ch:"ProjectId" json:"project_id"`
	ProjectName      string     `ch:"ProjectName" json:"project_name"`
	WorkflowID       uuid.UUID  `ch:"WorkflowId" json:"workflow_id"`
	WorkflowName     string     `ch:"WorkflowName" json:"workflow_name"`
	Status           string     `ch:"Status" json:"status"`
	StartedAt        time.Time  `ch:"StartedAt" json:"started_at"`
	CompletedAt      *time.Time `ch:"CompletedAt" json:"completed_at"`
	DurationMs       *float64   `ch:"DurationMs" json:"duration_ms"`
	ErrorMessage     string     `ch:"ErrorMessage" json:"error_message"`
	Input            string     `ch:"Input" json:"input,omitempty"`
	Output           string     `ch:"Output" json:"output,omitempty"`
	NodeCount        uint32     `ch:"NodeCount" json:"node_count"`
	ErrorCount       uint32     `ch:"ErrorCount" json:"error_count"`
	RetryCount       uint32     `ch:"RetryCount" json:"retry_count"`
	PromptTokens     int64      `ch:"PromptTokens" json:"prompt_tokens"`
	CompletionTokens int64      `ch:"CompletionTokens" json:"completion_tokens"`
	TotalTokens      int64      `ch:"TotalTokens" json:"total_tokens"`
	EstimatedCost    float64    `ch:"EstimatedCost" json:"estimated_cost"`
	LastSeen         time.Time  `ch:"LastSeen" json:"last_seen"`
	Source           string     `ch:"Source" json:"source,omitempty"`
	TraceIDs         []string   `ch:"TraceIds" json:"trace_ids,omitempty"`
	Truncated        bool       `ch:"Truncated" json:"truncated,omitempty"`
	Deleted          bool       `ch:"Deleted" json:"-"`
	Version          time.Time  `ch:"Version" json:"-"`
	SessionID        string     `ch:"SessionId" json:"session_id,omitempty"`
	UserID           string     `ch:"UserId" json:"user_id,omitempty"`
	Models           []string   `ch:"Models" json:"models,omitempty"`
}

// NodeExecutionRow is a row of the node_executions table.
type NodeExecutionRow struct {
	OrgID            string     `ch:"OrgId" json:"-"`
	ExecutionID      uuid.UUID  `ch:"ExecutionId" json:"execution_id"`
	NodeExecutionID  uuid.UUID  `ch:"NodeExecutionId" json:"node_execution_id"`
	ProjectID        uuid.UUID  `ch:"ProjectId" json:"project_id"`
	ProjectName      string     `ch:"ProjectName" json:"project_name"`
	WorkflowID       uuid.UUID  `ch:"WorkflowId" json:"workflow_id"`
	WorkflowName     string     `ch:"WorkflowName" json:"workflow_name"`
	NodeID           uuid.UUID  `ch:"NodeId" json:"node_id"`
	NodeName         string     `ch:"NodeName" json:"node_name"`
	NodeType         string     `ch:"NodeType" json:"node_type"`
	Status           string     `ch:"Status" json:"status"`
	StartedAt        time.Time  `ch:"StartedAt" json:"started_at"`
	CompletedAt      *time.Time `ch:"CompletedAt" json:"completed_at"`
	PrepDurationMs   *float64   `ch:"PrepDurationMs" json:"prep_duration_ms"`
	ExecDurationMs   *float64   `ch:"ExecDurationMs" json:"exec_duration_ms"`
	PostDurationMs   *float64   `ch:"PostDurationMs" json:"post_duration_ms"`
	RetryCount       uint32     `ch:"RetryCount" json:"retry_count"`
	ErrorMessage     string     `ch:"ErrorMessage" json:"error_message"`
	NextAction       string     `ch:"NextAction" json:"next_action"`
	Input            string     `ch:"Input" json:"input"`
	Output           string     `ch:"Output" json:"output"`
	PromptTokens     *int64     `ch:"PromptTokens" json:"prompt_tokens"`
	CompletionTokens *int64     `ch:"CompletionTokens" json:"completion_tokens"`
	TotalTokens      *int64     `ch:"TotalTokens" json:"total_tokens"`
	EstimatedCost    *float64   `ch:"EstimatedCost" json:"estimated_cost"`
	Deleted          bool       `ch:"Deleted" json:"-"`
	Version          time.Time  `ch:"Version" json:"-"`
	Model            string     `ch:"Model" json:"model,omitempty"`
	Provider         string     `ch:"Provider" json:"provider,omitempty"`
}

// SpanRow is a row of the spans table (the OTel trace schema Grafana's
// ClickHouse plugin reads, plus OrgId and ExecutionId). The query API
// answers the first columns; the others are left out when empty.
type SpanRow struct {
	OrgID              string              `ch:"OrgId" json:"-"`
	ExecutionID        uuid.UUID           `ch:"ExecutionId" json:"execution_id"`
	StartTime          time.Time           `ch:"Timestamp" json:"start_time"`
	TraceID            string              `ch:"TraceId" json:"trace_id"`
	SpanID             string              `ch:"SpanId" json:"span_id"`
	ParentSpanID       string              `ch:"ParentSpanId" json:"parent_span_id"`
	TraceState         string              `ch:"TraceState" json:"trace_state,omitempty"`
	Name               string              `ch:"SpanName" json:"name"`
	Kind               string              `ch:"SpanKind" json:"kind"`
	ServiceName        string              `ch:"ServiceName" json:"service_name,omitempty"`
	ResourceAttributes map[string]string   `ch:"ResourceAttributes" json:"resource_attributes,omitempty"`
	ScopeName          string              `ch:"ScopeName" json:"scope_name,omitempty"`
	ScopeVersion       string              `ch:"ScopeVersion" json:"scope_version,omitempty"`
	Attributes         map[string]string   `ch:"SpanAttributes" json:"attributes"`
	DurationNs         uint64              `ch:"Duration" json:"duration_ns"`
	Status             string              `ch:"StatusCode" json:"status"`
	StatusMessage      string              `ch:"StatusMessage" json:"status_message"`
	EventTimes         []time.Time         `ch:"Events.Timestamp" json:"event_times,omitempty"`
	EventNames         []string            `ch:"Events.Name" json:"event_names,omitempty"`
	EventAttributes    []map[string]string `ch:"Events.Attributes" json:"event_attributes,omitempty"`
	LinkTraceIDs       []string            `ch:"Links.TraceId" json:"link_trace_ids,omitempty"`
	LinkSpanIDs        []string            `ch:"Links.SpanId" json:"link_span_ids,omitempty"`
	LinkTraceStates    []string            `ch:"Links.TraceState" json:"link_trace_states,omitempty"`
	LinkAttributes     []map[string]string `ch:"Links.Attributes" json:"link_attributes,omitempty"`
}

// EventRow is a row of the events table.
type EventRow struct {
	OrgID        string    `ch:"OrgId" json:"-"`
	ExecutionID  uuid.UUID `ch:"ExecutionId" json:"execution_id"`
	EventID      uuid.UUID `ch:"EventId" json:"event_id"`
	ProjectName  string    `ch:"ProjectName" json:"project_name"`
	WorkflowName string    `ch:"WorkflowName" json:"workflow_name"`
	EventType    string    `ch:"EventType" json:"event_type"`
	Timestamp    time.Time `ch:"Timestamp" json:"timestamp"`
	Data         string    `ch:"Data" json:"data"`
}

// LogRow is a row of the logs table: every log record without a table of
// its own (execution starts and completions, state snapshots, OTLP logs).
// The query API answers a snapshot's time and body.
type LogRow struct {
	OrgID              string            `ch:"OrgId" json:"-"`
	RecordID           string            `ch:"RecordId" json:"-"`
	ExecutionID        uuid.UUID         `ch:"ExecutionId" json:"-"`
	Timestamp          time.Time         `ch:"Timestamp" json:"timestamp"`
	ObservedTimestamp  time.Time         `ch:"ObservedTimestamp" json:"-"`
	EventName          string            `ch:"EventName" json:"-"`
	TraceID            string            `ch:"TraceId" json:"-"`
	SpanID             string            `ch:"SpanId" json:"-"`
	SeverityText       string            `ch:"SeverityText" json:"-"`
	SeverityNumber     uint8             `ch:"SeverityNumber" json:"-"`
	ServiceName        string            `ch:"ServiceName" json:"-"`
	Body               string            `ch:"Body" json:"body"`
	ResourceAttributes map[string]string `ch:"ResourceAttributes" json:"-"`
	ScopeName          string            `ch:"ScopeName" json:"-"`
	LogAttributes      map[string]string `ch:"LogAttributes" json:"-"`
}

// PartitionStart is the StartedAt an execution's version may carry, given
// the start of its first emitted version. The executions table is
// partitioned by start day and read with per-partition FINAL, so every
// version must stay on the first one's day (the time itself may be refined).
func PartitionStart(first, start time.Time) time.Time {
	if first.IsZero() {
		return start
	}
	fy, fm, fd := first.UTC().Date()
	sy, sm, sd := start.UTC().Date()
	if fy == sy && fm == sm && fd == sd {
		return start
	}
	return first
}

// GraphNodeRow is a row of the workflow_nodes table: one node of a
// workflow's graph as last registered.
type GraphNodeRow struct {
	OrgID        string    `ch:"OrgId" json:"-"`
	WorkflowID   uuid.UUID `ch:"WorkflowId" json:"workflow_id"`
	NodeID       uuid.UUID `ch:"NodeId" json:"node_id"`
	ProjectName  string    `ch:"ProjectName" json:"project_name"`
	WorkflowName string    `ch:"WorkflowName" json:"workflow_name"`
	Name         string    `ch:"Name" json:"name"`
	Type         string    `ch:"Type" json:"type"`
	Code         string    `ch:"Code" json:"code"`
	Config       string    `ch:"Config" json:"config,omitempty"`
	RegisteredAt time.Time `ch:"RegisteredAt" json:"registered_at"`
}

// GraphEdgeRow is a row of the workflow_edges table.
type GraphEdgeRow struct {
	OrgID        string    `ch:"OrgId" json:"-"`
	WorkflowID   uuid.UUID `ch:"WorkflowId" json:"workflow_id"`
	EdgeID       uuid.UUID `ch:"EdgeId" json:"edge_id"`
	FromNodeID   uuid.UUID `ch:"FromNodeId" json:"from_node_id"`
	ToNodeID     uuid.UUID `ch:"ToNodeId" json:"to_node_id"`
	Action       string    `ch:"Action" json:"action"`
	RegisteredAt time.Time `ch:"RegisteredAt" json:"registered_at"`
}
