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

func TestExecutionIDsProveTheOrg(t *testing.T) {
	x := NewExecutionIDs([]byte("a-secret-of-at-least-32-characters!"))
	start := time.Date(2026, 11, 25, 17, 19, 5, 123000000, time.UTC)
	id := x.New("org-a", start, nil)

	assert.Equal(t, uuid.Version(8), id.Version())
	assert.Equal(t, uuid.RFC4122, id.Variant())
	assert.True(t, x.Owns("org-a", id))
	assert.False(t, x.Owns("org-b", id), "another org's id")
	assert.Equal(t, start, StartTime(id), "the start time travels in the id")

	other := NewExecutionIDs([]byte("another-secret-of-32-characters!!!"))
	assert.False(t, other.Owns("org-a", id), "a replica with another secret")
	assert.True(t, NewExecutionIDs([]byte("a-secret-of-at-least-32-characters!")).Owns("org-a", id), "a replica with the same secret")

	tampered := id
	tampered[15] ^= 1
	assert.False(t, x.Owns("org-a", tampered))
	tampered = id
	tampered[0] ^= 1 // another start time
	assert.False(t, x.Owns("org-a", tampered))
	assert.False(t, x.Owns("org-a", uuid.New()), "a random v4 uuid")

	assert.NotEqual(t, id, x.New("org-a", start, nil), "random part")
	e := []byte{1, 2, 3, 4}
	assert.Equal(t, x.New("org-a", start, e), x.New("org-a", start, e), "derived entropy is deterministic")
}

func TestDeterministicIDs(t *testing.T) {
	p := ProjectID("org-a", "proj")
	assert.Equal(t, p, ProjectID("org-a", "proj"))
	assert.NotEqual(t, p, ProjectID("org-b", "proj"), "per org")
	w := WorkflowID(p, "wf")
	assert.NotEqual(t, w, WorkflowID(ProjectID("org-a", "other"), "wf"), "per project")
	assert.NotEqual(t, NodeID(w, "a"), NodeID(w, "b"))
	// Separators keep ("ab","c") and ("a","bc") apart.
	assert.NotEqual(t, ItemID(p, "x", "ab", "c"), ItemID(p, "x", "a", "bc"))
}

func TestNodeExecutionRoundTrip(t *testing.T) {
	// prepare
	exec := uuid.New()
	completed := time.Date(2026, 1, 1, 0, 0, 1, 0, time.UTC)
	f, i := 5.5, int64(17)
	in := pcommon.NewValueMap()
	in.Map().PutStr("q", "x")
	n := NodeExecution{
		Scope: Scope{ExecutionID: exec, ProjectName: "p", ProjectID: ProjectID("o", "p"), WorkflowName: "w", WorkflowID: WorkflowID(ProjectID("o", "p"), "w")},
		ID:    ItemID(exec, "node_execution", "n"), NodeID: NodeID(WorkflowID(ProjectID("o", "p"), "w"), "n"),
		NodeName: "n", NodeType: "t", Status: "success", StartedAt: time.Date(2026, 1, 1, 0, 0, 0, 123456000, time.UTC),
		CompletedAt: &completed, PrepDurationMs: &f, RetryCount: 2, ErrorMessage: "e", NextAction: "default",
		Input: in, Output: pcommon.NewValueEmpty(), TotalTokens: &i,
	}
	lrs := plog.NewLogRecordSlice()
	// test
	n.Append(lrs)
	got, err := DecodeNodeExecution(lrs.At(0))
	// verify
	require.NoError(t, err)
	assert.Equal(t, EventNodeReported, lrs.At(0).EventName())
	assert.Equal(t, exec, uuid.UUID(lrs.At(0).TraceID()))
	assert.Equal(t, n.Scope, got.Scope)
	assert.Equal(t, n.ID, got.ID)
	assert.Equal(t, n.NodeID, got.NodeID)
	assert.Equal(t, n.StartedAt, got.StartedAt)
	assert.Equal(t, *n.CompletedAt, *got.CompletedAt)
	assert.Equal(t, 5.5, *got.PrepDurationMs)
	assert.Nil(t, got.ExecDurationMs)
	assert.Equal(t, int64(2), got.RetryCount)
	assert.Equal(t, int64(17), *got.TotalTokens)
	assert.Equal(t, map[string]any{"q": "x"}, got.Input.Map().AsRaw())
	assert.Equal(t, pcommon.ValueTypeEmpty, got.Output.Type())
}

func TestDecodeRejectsForeignRecords(t *testing.T) {
	lr := plog.NewLogRecord()
	lr.Body().SetEmptyMap()
	_, err := DecodeNodeExecution(lr)
	assert.Error(t, err, "no item id")
	_, err = DecodeEvent(lr)
	assert.Error(t, err)

	for _, set := range []func(pcommon.Value){
		func(v pcommon.Value) { v.SetStr("a string body") },
		func(pcommon.Value) {},
		func(v pcommon.Value) { v.SetEmptySlice() },
	} {
		lr := plog.NewLogRecord()
		lr.SetEventName(EventNodeReported)
		set(lr.Body())
		_, err := DecodeNodeExecution(lr)
		assert.Error(t, err)
		_, err = DecodeEvent(lr)
		assert.Error(t, err)
	}
}
