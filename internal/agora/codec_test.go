package agora

import (
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
)

var (
	tStart = time.Date(2026, 1, 1, 0, 0, 0, 123456000, time.UTC)
	tEnd   = time.Date(2026, 1, 1, 0, 0, 1, 0, time.UTC)
)

func testScope() Scope {
	exec := uuid.New()
	p := ProjectID("o", "p")
	return Scope{ExecutionID: exec, ProjectName: "p", ProjectID: p, WorkflowName: "w", WorkflowID: WorkflowID(p, "w")}
}

func mapValue(k, v string) pcommon.Value {
	m := pcommon.NewValueMap()
	m.Map().PutStr(k, v)
	return m
}

// roundTrip appends one record with add, checks its event name and that the
// execution id travels as TraceID, and decodes it back.
func roundTrip[T any](t *testing.T, event string, exec uuid.UUID, add func(plog.LogRecordSlice), decode func(plog.LogRecord) (T, error)) T {
	t.Helper()
	lrs := plog.NewLogRecordSlice()
	add(lrs)
	require.Equal(t, 1, lrs.Len())
	assert.Equal(t, event, lrs.At(0).EventName())
	assert.Equal(t, exec, uuid.UUID(lrs.At(0).TraceID()))
	got, err := decode(lrs.At(0))
	require.NoError(t, err)
	return got
}

func TestExecutionStartRoundTrip(t *testing.T) {
	in := ExecutionStart{Scope: testScope(), StartedAt: tStart, Input: mapValue("q", "x")}
	got := roundTrip(t, EventExecutionStarted, in.ExecutionID, in.Append, DecodeExecutionStart)
	assert.Equal(t, in, got)
}

func TestExecutionCompletionRoundTrip(t *testing.T) {
	in := ExecutionCompletion{Scope: Scope{ExecutionID: uuid.New()}, CompletedAt: tEnd, Status: StatusError,
		Output: mapValue("a", "b"), ErrorMessage: "boom", DurationMs: 876.5}
	got := roundTrip(t, EventExecutionCompleted, in.ExecutionID, in.Append, DecodeExecutionCompletion)
	assert.Equal(t, in, got)
}

func TestExecutionRoundTrip(t *testing.T) {
	end, d := tEnd, 876.5
	in := Execution{Scope: testScope(), Status: StatusSuccess, StartedAt: tStart, CompletedAt: &end, DurationMs: &d,
		ErrorMessage: "e", Input: mapValue("q", "x"), Output: pcommon.NewValueEmpty(), NodeCount: 3, ErrorCount: 1, RetryCount: 2,
		PromptTokens: 8, CompletionTokens: 9, TotalTokens: 17, EstimatedCost: 0.25, LastSeen: tEnd, Source: "api+otlp",
		TraceIDs: []string{"3d337f69eff943387b62ebba62f20a9c"}, Truncated: true, Deleted: true}
	got := roundTrip(t, EventExecutionRecord, in.ExecutionID, func(lrs plog.LogRecordSlice) { in.Append(lrs) }, DecodeExecution)
	assert.Equal(t, in, got)
}

// testNodeExecution is a node execution with every field set.
func testNodeExecution() NodeExecution {
	s := testScope()
	f, i := 5.5, int64(17)
	end := tEnd
	return NodeExecution{Scope: s, ID: NodeExecutionID(s.ExecutionID, "n", tStart), NodeID: NodeID(s.WorkflowID, "n"),
		NodeName: "n", NodeType: "t", Status: StatusSuccess, StartedAt: tStart, CompletedAt: &end, PrepDurationMs: &f,
		ExecDurationMs: &f, PostDurationMs: &f, RetryCount: 2, ErrorMessage: "e", NextAction: "default",
		Input: mapValue("q", "x"), Output: mapValue("a", "y"), PromptTokens: &i, CompletionTokens: &i, TotalTokens: &i,
		EstimatedCost: &f, Model: "m", Provider: "p"}
}

func TestNodeExecutionRoundTrip(t *testing.T) {
	in := testNodeExecution()
	s := in.Scope
	in.Output, in.Deleted = pcommon.NewValueEmpty(), true
	for _, event := range []string{EventNodeReported, EventNodeExecutionRecord} {
		got := roundTrip(t, event, s.ExecutionID, func(lrs plog.LogRecordSlice) { in.Append(lrs, event) }, DecodeNodeExecution)
		assert.Equal(t, in, got)
	}
}

func TestEventRoundTrip(t *testing.T) {
	s := testScope()
	in := Event{Scope: s, ID: ItemID(s.ExecutionID, "event", "x"), EventType: "tool_call", Timestamp: tStart, Data: mapValue("k", "v")}
	got := roundTrip(t, EventAgora, s.ExecutionID, in.Append, DecodeEvent)
	assert.Equal(t, in, got)
}

func TestStateSnapshotRoundTrip(t *testing.T) {
	s := testScope()
	in := StateSnapshot{Scope: s, ID: ItemID(s.ExecutionID, "snapshot", "x"), Timestamp: tStart, State: mapValue("memory", "42")}
	got := roundTrip(t, EventStateSnapshot, s.ExecutionID, in.Append, DecodeStateSnapshot)
	assert.Equal(t, in, got)
}

func TestDecodeRejectsForeignRecords(t *testing.T) {
	decoders := map[string]func(plog.LogRecord) error{
		"start":      func(lr plog.LogRecord) error { _, err := DecodeExecutionStart(lr); return err },
		"completion": func(lr plog.LogRecord) error { _, err := DecodeExecutionCompletion(lr); return err },
		"execution":  func(lr plog.LogRecord) error { _, err := DecodeExecution(lr); return err },
		"node":       func(lr plog.LogRecord) error { _, err := DecodeNodeExecution(lr); return err },
		"event":      func(lr plog.LogRecord) error { _, err := DecodeEvent(lr); return err },
		"snapshot":   func(lr plog.LogRecord) error { _, err := DecodeStateSnapshot(lr); return err },
	}
	bodies := map[string]func(pcommon.Value){
		"empty map":   func(v pcommon.Value) { v.SetEmptyMap() },
		"string body": func(v pcommon.Value) { v.SetStr("a string body") },
		"no body":     func(pcommon.Value) {},
		"slice body":  func(v pcommon.Value) { v.SetEmptySlice() },
		"bytes body":  func(v pcommon.Value) { v.SetEmptyBytes().FromRaw([]byte("x")) },
	}
	for name, decode := range decoders {
		for body, set := range bodies {
			lr := plog.NewLogRecord()
			set(lr.Body())
			assert.Error(t, decode(lr), "%s from a record with %s", name, body)
		}
	}
}

func TestNumber(t *testing.T) {
	for _, tc := range []struct {
		v    pcommon.Value
		want float64
		ok   bool
	}{
		{pcommon.NewValueInt(3), 3, true},
		{pcommon.NewValueDouble(2.5), 2.5, true},
		{pcommon.NewValueStr("17"), 17, true},
		{pcommon.NewValueStr("0.5"), 0.5, true},
		{pcommon.NewValueStr("NaN"), 0, false},
		{pcommon.NewValueStr("1e999"), 0, false},
		{pcommon.NewValueStr("x"), 0, false},
		{pcommon.NewValueBool(true), 0, false},
	} {
		got, ok := Number(tc.v)
		assert.Equal(t, tc.ok, ok, tc.v.AsString())
		if tc.ok {
			assert.Equal(t, tc.want, got)
		}
	}
}
