package agora

import (
	"fmt"
	"time"

	"github.com/google/uuid"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
)

// Scope says which execution an item belongs to. Names and their ids are
// known on /start and /batch; other endpoints carry only the execution id.
type Scope struct {
	ExecutionID  uuid.UUID
	ProjectID    uuid.UUID // zero when unknown
	ProjectName  string
	WorkflowID   uuid.UUID // zero when unknown
	WorkflowName string
}

// ExecutionStart is POST /telemetry/executions/start (or a batch auto-start).
type ExecutionStart struct {
	Scope
	StartedAt time.Time
	Input     pcommon.Value // input_data; empty when not sent
}

// ExecutionCompletion is POST /telemetry/executions/{id}/complete.
type ExecutionCompletion struct {
	Scope
	CompletedAt  time.Time
	Status       string
	Output       pcommon.Value // output_data
	ErrorMessage string
	DurationMs   float64 // from the start time carried in the execution id
}

// NodeExecution is one node run as reported by the SDK.
type NodeExecution struct {
	Scope
	ID               uuid.UUID
	NodeID           uuid.UUID // zero when the workflow is unknown
	NodeName         string
	NodeType         string
	Status           string
	StartedAt        time.Time
	CompletedAt      *time.Time
	PrepDurationMs   *float64
	ExecDurationMs   *float64
	PostDurationMs   *float64
	ErrorMessage     string
	RetryCount       int64
	NextAction       string
	Input            pcommon.Value // input_data
	Output           pcommon.Value // output_data
	PromptTokens     *int64
	CompletionTokens *int64
	TotalTokens      *int64
	EstimatedCost    *float64
}

// Execution is the folded record of one workflow execution: every version
// is complete, so the newest row alone is the execution.
type Execution struct {
	Scope
	Status           string
	StartedAt        time.Time
	CompletedAt      *time.Time
	DurationMs       *float64
	ErrorMessage     string
	Input            pcommon.Value
	Output           pcommon.Value
	NodeCount        int64
	ErrorCount       int64
	RetryCount       int64
	PromptTokens     int64
	CompletionTokens int64
	TotalTokens      int64
	EstimatedCost    float64
	LastSeen         time.Time
	// Source says which paths described it: "api", "otlp" or "api+otlp".
	Source string
}

// Field names of execution records beyond the wire's.
const (
	FieldNodeCount  = "node_count"
	FieldErrorCount = "error_count"
	FieldLastSeen   = "last_seen"
	FieldSource     = "source"
)

// Append writes the execution record as a log record.
func (e *Execution) Append(lrs plog.LogRecordSlice) {
	_, b := newRecord(lrs, EventExecutionRecord, e.Scope, e.StartedAt, uuid.Nil, 20)
	b.PutStr(FieldStatus, e.Status)
	b.PutStr(FieldStartedAt, formatTime(e.StartedAt))
	if e.CompletedAt != nil {
		b.PutStr(FieldCompletedAt, formatTime(*e.CompletedAt))
	}
	putFloat(b, FieldDurationMs, e.DurationMs)
	putStrIf(b, FieldErrorMessage, e.ErrorMessage)
	putValue(b, FieldInputData, e.Input)
	putValue(b, FieldOutputData, e.Output)
	b.PutInt(FieldNodeCount, e.NodeCount)
	b.PutInt(FieldErrorCount, e.ErrorCount)
	b.PutInt(FieldRetryCount, e.RetryCount)
	b.PutInt(FieldPromptTokens, e.PromptTokens)
	b.PutInt(FieldCompletionTokens, e.CompletionTokens)
	b.PutInt(FieldTotalTokens, e.TotalTokens)
	b.PutDouble(FieldEstimatedCost, e.EstimatedCost)
	b.PutStr(FieldLastSeen, formatTime(e.LastSeen))
	b.PutStr(FieldSource, e.Source)
}

// DecodeExecution reads a record written by Execution.Append.
func DecodeExecution(lr plog.LogRecord) (Execution, error) {
	b, err := bodyMap(lr)
	if err != nil {
		return Execution{}, err
	}
	e := Execution{
		Scope: ScopeOf(lr), Status: str(b, FieldStatus), ErrorMessage: str(b, FieldErrorMessage),
		Input: value(b, FieldInputData), Output: value(b, FieldOutputData), DurationMs: float(b, FieldDurationMs),
		Source: str(b, FieldSource),
	}
	for k, dst := range map[string]*int64{
		FieldNodeCount: &e.NodeCount, FieldErrorCount: &e.ErrorCount, FieldRetryCount: &e.RetryCount,
		FieldPromptTokens: &e.PromptTokens, FieldCompletionTokens: &e.CompletionTokens, FieldTotalTokens: &e.TotalTokens,
	} {
		if v := integer(b, k); v != nil {
			*dst = *v
		}
	}
	if c := float(b, FieldEstimatedCost); c != nil {
		e.EstimatedCost = *c
	}
	if e.StartedAt, err = time.Parse(time.RFC3339Nano, str(b, FieldStartedAt)); err != nil {
		return e, fmt.Errorf("%s: %w", FieldStartedAt, err)
	}
	if e.LastSeen, err = time.Parse(time.RFC3339Nano, str(b, FieldLastSeen)); err != nil {
		return e, fmt.Errorf("%s: %w", FieldLastSeen, err)
	}
	e.CompletedAt, err = optTime(b, FieldCompletedAt)
	return e, err
}

// Event is POST /telemetry/executions/{id}/events or a batch event.
type Event struct {
	Scope
	ID        uuid.UUID
	EventType string
	Timestamp time.Time
	Data      pcommon.Value
}

// StateSnapshot is a batch's shared_state_snapshots item, kept whole.
type StateSnapshot struct {
	Scope
	ID        uuid.UUID
	Timestamp time.Time
	State     pcommon.Value
}

// Wire field names, shared by the JSON API and the log record bodies.
const (
	FieldWorkflowName     = "workflow_name"
	FieldProjectName      = "project_name"
	FieldInputData        = "input_data"
	FieldOutputData       = "output_data"
	FieldStatus           = "status"
	FieldErrorMessage     = "error_message"
	FieldDurationMs       = "duration_ms"
	FieldNodeName         = "node_name"
	FieldNodeType         = "node_type"
	FieldStartedAt        = "started_at"
	FieldCompletedAt      = "completed_at"
	FieldPrepDurationMs   = "prep_duration_ms"
	FieldExecDurationMs   = "exec_duration_ms"
	FieldPostDurationMs   = "post_duration_ms"
	FieldRetryCount       = "retry_count"
	FieldNextAction       = "next_action"
	FieldPromptTokens     = "prompt_tokens"
	FieldCompletionTokens = "completion_tokens"
	FieldTotalTokens      = "total_tokens"
	FieldEstimatedCost    = "estimated_cost"
	FieldEventType        = "event_type"
	FieldTimestamp        = "timestamp"
	FieldData             = "data"
	FieldState            = "state"
)

// newRecord starts a log record of this scope: event name, the execution id
// as TraceID (execution id = trace id), time and the scope's attributes.
//
// fields is how many body fields the caller will put: sizing the maps once
// saves their regrowth, a large part of this hot path's cost.
func newRecord(lrs plog.LogRecordSlice, event string, s Scope, at time.Time, itemID uuid.UUID, fields int) (plog.LogRecord, pcommon.Map) {
	lr := lrs.AppendEmpty()
	lr.SetEventName(event)
	lr.SetTraceID(pcommon.TraceID(s.ExecutionID))
	lr.SetTimestamp(pcommon.NewTimestampFromTime(at))
	lr.SetSeverityNumber(plog.SeverityNumberInfo)
	a := lr.Attributes()
	a.EnsureCapacity(7)
	a.PutStr(AttrExecutionID, s.ExecutionID.String())
	if s.ProjectName != "" {
		a.PutStr(AttrProjectID, s.ProjectID.String())
		a.PutStr(AttrProjectName, s.ProjectName)
	}
	if s.WorkflowName != "" {
		a.PutStr(AttrWorkflowID, s.WorkflowID.String())
		a.PutStr(AttrWorkflowName, s.WorkflowName)
	}
	if itemID != uuid.Nil {
		a.PutStr(AttrItemID, itemID.String())
	}
	body := lr.Body().SetEmptyMap()
	body.EnsureCapacity(fields)
	return lr, body
}

// Append writes the start as a log record.
func (e *ExecutionStart) Append(lrs plog.LogRecordSlice) {
	_, b := newRecord(lrs, EventExecutionStarted, e.Scope, e.StartedAt, uuid.Nil, 4)
	b.PutStr(FieldWorkflowName, e.WorkflowName)
	b.PutStr(FieldProjectName, e.ProjectName)
	b.PutStr(FieldStartedAt, formatTime(e.StartedAt))
	putValue(b, FieldInputData, e.Input)
}

// Append writes the completion as a log record.
func (e *ExecutionCompletion) Append(lrs plog.LogRecordSlice) {
	_, b := newRecord(lrs, EventExecutionCompleted, e.Scope, e.CompletedAt, uuid.Nil, 5)
	b.PutStr(FieldStatus, e.Status)
	b.PutStr(FieldCompletedAt, formatTime(e.CompletedAt))
	b.PutDouble(FieldDurationMs, e.DurationMs)
	putValue(b, FieldOutputData, e.Output)
	putStrIf(b, FieldErrorMessage, e.ErrorMessage)
}

// Append writes the node execution as reported (agora.node.reported).
func (n *NodeExecution) Append(lrs plog.LogRecordSlice) { n.AppendAs(lrs, EventNodeReported) }

// AppendAs writes the node execution under an event name: the SDK's report
// or the execution processor's folded record (agora.node_execution).
func (n *NodeExecution) AppendAs(lrs plog.LogRecordSlice, event string) {
	lr, b := newRecord(lrs, event, n.Scope, n.StartedAt, n.ID, 18)
	if n.NodeID != uuid.Nil {
		lr.Attributes().PutStr(AttrNodeID, n.NodeID.String())
	}
	b.PutStr(FieldNodeName, n.NodeName)
	b.PutStr(FieldNodeType, n.NodeType)
	b.PutStr(FieldStatus, n.Status)
	b.PutStr(FieldStartedAt, formatTime(n.StartedAt))
	if n.CompletedAt != nil {
		b.PutStr(FieldCompletedAt, formatTime(*n.CompletedAt))
	}
	putFloat(b, FieldPrepDurationMs, n.PrepDurationMs)
	putFloat(b, FieldExecDurationMs, n.ExecDurationMs)
	putFloat(b, FieldPostDurationMs, n.PostDurationMs)
	putStrIf(b, FieldErrorMessage, n.ErrorMessage)
	b.PutInt(FieldRetryCount, n.RetryCount)
	putStrIf(b, FieldNextAction, n.NextAction)
	putValue(b, FieldInputData, n.Input)
	putValue(b, FieldOutputData, n.Output)
	putInt(b, FieldPromptTokens, n.PromptTokens)
	putInt(b, FieldCompletionTokens, n.CompletionTokens)
	putInt(b, FieldTotalTokens, n.TotalTokens)
	putFloat(b, FieldEstimatedCost, n.EstimatedCost)
}

// Append writes the event as a log record.
func (e *Event) Append(lrs plog.LogRecordSlice) {
	_, b := newRecord(lrs, EventAgora, e.Scope, e.Timestamp, e.ID, 3)
	b.PutStr(FieldEventType, e.EventType)
	b.PutStr(FieldTimestamp, formatTime(e.Timestamp))
	putValue(b, FieldData, e.Data)
}

// Append writes the snapshot as a log record.
func (s *StateSnapshot) Append(lrs plog.LogRecordSlice) {
	_, b := newRecord(lrs, EventStateSnapshot, s.Scope, s.Timestamp, s.ID, 2)
	b.PutStr(FieldTimestamp, formatTime(s.Timestamp))
	putValue(b, FieldState, s.State)
}

// ScopeOf reads the scope attributes of a log record.
func ScopeOf(lr plog.LogRecord) Scope {
	a := lr.Attributes()
	s := Scope{ExecutionID: uuid.UUID(lr.TraceID())}
	s.ProjectID, _ = uuid.Parse(str(a, AttrProjectID))
	s.ProjectName = str(a, AttrProjectName)
	s.WorkflowID, _ = uuid.Parse(str(a, AttrWorkflowID))
	s.WorkflowName = str(a, AttrWorkflowName)
	return s
}

// DecodeNodeExecution reads a record written by NodeExecution.Append.
func DecodeNodeExecution(lr plog.LogRecord) (NodeExecution, error) {
	b, err := bodyMap(lr)
	if err != nil {
		return NodeExecution{}, err
	}
	n := NodeExecution{
		Scope:          ScopeOf(lr),
		NodeName:       str(b, FieldNodeName),
		NodeType:       str(b, FieldNodeType),
		Status:         str(b, FieldStatus),
		ErrorMessage:   str(b, FieldErrorMessage),
		NextAction:     str(b, FieldNextAction),
		PrepDurationMs: float(b, FieldPrepDurationMs),
		ExecDurationMs: float(b, FieldExecDurationMs),
		PostDurationMs: float(b, FieldPostDurationMs),
		EstimatedCost:  float(b, FieldEstimatedCost),
		PromptTokens:   integer(b, FieldPromptTokens), CompletionTokens: integer(b, FieldCompletionTokens), TotalTokens: integer(b, FieldTotalTokens),
		Input:  value(b, FieldInputData),
		Output: value(b, FieldOutputData),
	}
	if rc := integer(b, FieldRetryCount); rc != nil {
		n.RetryCount = *rc
	}
	if n.ID, err = uuid.Parse(str(lr.Attributes(), AttrItemID)); err != nil {
		return n, fmt.Errorf("%s: %w", AttrItemID, err)
	}
	n.NodeID, _ = uuid.Parse(str(lr.Attributes(), AttrNodeID))
	if n.StartedAt, err = time.Parse(time.RFC3339Nano, str(b, FieldStartedAt)); err != nil {
		return n, fmt.Errorf("%s: %w", FieldStartedAt, err)
	}
	n.CompletedAt, err = optTime(b, FieldCompletedAt)
	return n, err
}

// DecodeEvent reads a record written by Event.Append.
func DecodeEvent(lr plog.LogRecord) (Event, error) {
	b, err := bodyMap(lr)
	if err != nil {
		return Event{}, err
	}
	e := Event{Scope: ScopeOf(lr), EventType: str(b, FieldEventType), Timestamp: lr.Timestamp().AsTime(), Data: value(b, FieldData)}
	if e.ID, err = uuid.Parse(str(lr.Attributes(), AttrItemID)); err != nil {
		return e, fmt.Errorf("%s: %w", AttrItemID, err)
	}
	return e, nil
}

// bodyMap is the record's body; any sender can name a record like ours, so
// a body of another type is an error, never a panic.
func bodyMap(lr plog.LogRecord) (pcommon.Map, error) {
	if lr.Body().Type() != pcommon.ValueTypeMap {
		return pcommon.Map{}, fmt.Errorf("body is %s, not a map", lr.Body().Type())
	}
	return lr.Body().Map(), nil
}

// optTime reads an optional timestamp field: nil when absent.
func optTime(m pcommon.Map, k string) (*time.Time, error) {
	s := str(m, k)
	if s == "" {
		return nil, nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", k, err)
	}
	return &t, nil
}

func formatTime(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

func str(m pcommon.Map, k string) string {
	if v, ok := m.Get(k); ok {
		return v.AsString()
	}
	return ""
}

func float(m pcommon.Map, k string) *float64 {
	v, ok := m.Get(k)
	if !ok {
		return nil
	}
	switch v.Type() {
	case pcommon.ValueTypeDouble:
		f := v.Double()
		return &f
	case pcommon.ValueTypeInt:
		f := float64(v.Int())
		return &f
	}
	return nil
}

func integer(m pcommon.Map, k string) *int64 {
	if v, ok := m.Get(k); ok && v.Type() == pcommon.ValueTypeInt {
		i := v.Int()
		return &i
	}
	return nil
}

func value(m pcommon.Map, k string) pcommon.Value {
	if v, ok := m.Get(k); ok {
		return v
	}
	return pcommon.NewValueEmpty()
}

// putValue copies v unless it is absent (empty, or the zero Value).
func putValue(m pcommon.Map, k string, v pcommon.Value) {
	if v != (pcommon.Value{}) && v.Type() != pcommon.ValueTypeEmpty {
		v.CopyTo(m.PutEmpty(k))
	}
}

func putStrIf(m pcommon.Map, k, v string) {
	if v != "" {
		m.PutStr(k, v)
	}
}

func putFloat(m pcommon.Map, k string, v *float64) {
	if v != nil {
		m.PutDouble(k, *v)
	}
}

func putInt(m pcommon.Map, k string, v *int64) {
	if v != nil {
		m.PutInt(k, *v)
	}
}
