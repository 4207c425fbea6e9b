package agora

import (
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/google/uuid"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
)

// Every record travels as one log record in the OTel events style: its event
// name says the kind, TraceID is the execution id, the scope's names and ids
// are attributes, and the item's fields are a map body named by the wire's
// field names. Each kind's file has its Append and its Decode; this file
// has what they share.

// Scope says which execution an item belongs to. Names and their ids are
// known on /start and /batch; other endpoints carry only the execution id.
type Scope struct {
	ExecutionID  uuid.UUID
	ProjectID    uuid.UUID // zero when unknown
	ProjectName  string
	WorkflowID   uuid.UUID // zero when unknown
	WorkflowName string
}

// Wire field names, shared by the JSON API and the log record bodies.
const (
	FieldExecutionID          = "execution_id"
	FieldWorkflowName         = "workflow_name"
	FieldProjectName          = "project_name"
	FieldInputData            = "input_data"
	FieldOutputData           = "output_data"
	FieldStatus               = "status"
	FieldErrorMessage         = "error_message"
	FieldDurationMs           = "duration_ms"
	FieldNodeName             = "node_name"
	FieldNodeType             = "node_type"
	FieldStartedAt            = "started_at"
	FieldCompletedAt          = "completed_at"
	FieldPrepDurationMs       = "prep_duration_ms"
	FieldExecDurationMs       = "exec_duration_ms"
	FieldPostDurationMs       = "post_duration_ms"
	FieldRetryCount           = "retry_count"
	FieldNextAction           = "next_action"
	FieldPromptTokens         = "prompt_tokens"
	FieldCompletionTokens     = "completion_tokens"
	FieldTotalTokens          = "total_tokens"
	FieldEstimatedCost        = "estimated_cost"
	FieldEventType            = "event_type"
	FieldTimestamp            = "timestamp"
	FieldData                 = "data"
	FieldState                = "state"
	FieldEvents               = "events"
	FieldSpans                = "spans"
	FieldNodeExecutions       = "node_executions"
	FieldSharedStateSnapshots = "shared_state_snapshots"
	FieldModel                = "model"
	FieldProvider             = "provider"
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

// ScopeOf reads the scope of a log record written by any Append.
func ScopeOf(lr plog.LogRecord) Scope {
	a := lr.Attributes()
	s := Scope{ExecutionID: uuid.UUID(lr.TraceID())}
	s.ProjectID, _ = uuid.Parse(Str(a, AttrProjectID))
	s.ProjectName = Str(a, AttrProjectName)
	s.WorkflowID, _ = uuid.Parse(Str(a, AttrWorkflowID))
	s.WorkflowName = Str(a, AttrWorkflowName)
	return s
}

// bodyMap is the record's body; any sender can name a record like ours, so
// a body of another type is an error, never a panic.
func bodyMap(lr plog.LogRecord) (pcommon.Map, error) {
	if lr.Body().Type() != pcommon.ValueTypeMap {
		return pcommon.Map{}, fmt.Errorf("body is %s, not a map", lr.Body().Type())
	}
	return lr.Body().Map(), nil
}

func itemID(lr plog.LogRecord) (uuid.UUID, error) {
	id, err := uuid.Parse(Str(lr.Attributes(), AttrItemID))
	if err != nil {
		return id, fmt.Errorf("%s: %w", AttrItemID, err)
	}
	return id, nil
}

func formatTime(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

func getTime(m pcommon.Map, k string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, Str(m, k))
	if err != nil {
		return t, fmt.Errorf("%s: %w", k, err)
	}
	return t, nil
}

// optTime reads an optional timestamp field: nil when absent.
func optTime(m pcommon.Map, k string) (*time.Time, error) {
	if _, ok := m.Get(k); !ok {
		return nil, nil
	}
	t, err := getTime(m, k)
	return &t, err
}

func putTime(m pcommon.Map, k string, t *time.Time) {
	if t != nil {
		m.PutStr(k, formatTime(*t))
	}
}

// FirstStr is the first of keys that m holds as a non-empty string.
func FirstStr(m pcommon.Map, keys []string) string {
	for _, k := range keys {
		if s := Str(m, k); s != "" {
			return s
		}
	}
	return ""
}

// Str is an attribute or body field as a string, "" when absent.
func Str(m pcommon.Map, k string) string {
	if v, ok := m.Get(k); ok {
		return v.AsString()
	}
	return ""
}

// Number reads ints, doubles and numeric strings (some SDKs stringify
// numbers). Non-finite values are not numbers.
func Number(v pcommon.Value) (float64, bool) {
	var f float64
	switch v.Type() {
	case pcommon.ValueTypeInt:
		return float64(v.Int()), true
	case pcommon.ValueTypeDouble:
		f = v.Double()
	case pcommon.ValueTypeStr:
		var err error
		if f, err = strconv.ParseFloat(v.Str(), 64); err != nil {
			return 0, false
		}
	default:
		return 0, false
	}
	return f, !math.IsNaN(f) && !math.IsInf(f, 0)
}

// optBounded is a numeric field within its bounds (ok), nil otherwise: a
// record from a sender with an out-of-range value keeps the rest.
func optBounded(m pcommon.Map, k string, ok func(float64) bool) *float64 {
	if v, found := m.Get(k); found {
		if f, isNum := Number(v); isNum && ok(f) {
			return &f
		}
	}
	return nil
}

func optDuration(m pcommon.Map, k string) *float64 { return optBounded(m, k, DurationOK) }

func optCost(m pcommon.Map, k string) *float64 { return optBounded(m, k, CostOK) }

func optCount(m pcommon.Map, k string) *int64 { return optWhole(m, k, CountOK) }

func optWhole(m pcommon.Map, k string, ok func(float64) bool) *int64 {
	if f := optBounded(m, k, ok); f != nil {
		i := int64(*f)
		return &i
	}
	return nil
}

// getSum is an aggregate (a sum of bounded counts): any non-negative int.
func getSum(m pcommon.Map, k string) int64 {
	if v, ok := m.Get(k); ok && v.Type() == pcommon.ValueTypeInt && v.Int() >= 0 {
		return v.Int()
	}
	return 0
}

func getRetries(m pcommon.Map, k string) int64 {
	if p := optWhole(m, k, RetriesOK); p != nil {
		return *p
	}
	return 0
}

// value is a body field; an absent one is an empty value. It shares the
// record's memory: copy it (CopyTo) to keep it past the record.
func value(m pcommon.Map, k string) pcommon.Value {
	if v, ok := m.Get(k); ok {
		return v
	}
	return pcommon.NewValueEmpty()
}

// putValue copies v unless it is absent (empty, or the zero Value).
func putValue(m pcommon.Map, k string, v pcommon.Value) {
	if Present(v) {
		v.CopyTo(m.PutEmpty(k))
	}
}

// Present reports whether v holds a value (not the zero Value, not empty).
func Present(v pcommon.Value) bool {
	return v != (pcommon.Value{}) && v.Type() != pcommon.ValueTypeEmpty
}

// putStrs writes a list of strings; an empty list writes nothing.
func putStrs(m pcommon.Map, k string, vs []string) {
	if len(vs) == 0 {
		return
	}
	sl := m.PutEmptySlice(k)
	sl.EnsureCapacity(len(vs))
	for _, v := range vs {
		sl.AppendEmpty().SetStr(v)
	}
}

func getStrs(m pcommon.Map, k string) []string {
	v, ok := m.Get(k)
	if !ok || v.Type() != pcommon.ValueTypeSlice {
		return nil
	}
	out := make([]string, 0, v.Slice().Len())
	for _, x := range v.Slice().All() {
		out = append(out, x.AsString())
	}
	return out
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

// putBool writes a flag only when set: records stay small.
func putBool(m pcommon.Map, k string, v bool) {
	if v {
		m.PutBool(k, true)
	}
}

func getBool(m pcommon.Map, k string) bool {
	v, ok := m.Get(k)
	return ok && v.Type() == pcommon.ValueTypeBool && v.Bool()
}

func putInt(m pcommon.Map, k string, v *int64) {
	if v != nil {
		m.PutInt(k, *v)
	}
}
