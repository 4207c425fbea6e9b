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
}

// SpanRow is the part of a spans table row the query API answers.
type SpanRow struct {
	TraceID       string            `ch:"TraceId" json:"trace_id"`
	SpanID        string            `ch:"SpanId" json:"span_id"`
	ParentSpanID  string            `ch:"ParentSpanId" json:"parent_span_id"`
	Name          string            `ch:"SpanName" json:"name"`
	Kind          string            `ch:"SpanKind" json:"kind"`
	Status        string            `ch:"StatusCode" json:"status"`
	StatusMessage string            `ch:"StatusMessage" json:"status_message"`
	StartTime     time.Time         `ch:"Timestamp" json:"start_time"`
	DurationNs    uint64            `ch:"Duration" json:"duration_ns"`
	Attributes    map[string]string `ch:"SpanAttributes" json:"attributes"`
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

// SnapshotRow is a state snapshot as the query API answers it (a row of the
// logs table with event name agora.state.snapshot).
type SnapshotRow struct {
	Timestamp time.Time `ch:"Timestamp" json:"timestamp"`
	Body      string    `ch:"Body" json:"body"`
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
