package agora

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
)

// everyValue is a map holding a value of each type, nested.
func everyValue() pcommon.Value {
	v := pcommon.NewValueMap()
	m := v.Map()
	m.PutStr("s", "text ✓")
	m.PutInt("i", -42)
	m.PutDouble("d", 0.125)
	m.PutBool("b", true)
	m.PutEmptyBytes("raw").FromRaw([]byte{0, 1, 255})
	sl := m.PutEmptySlice("list")
	sl.AppendEmpty().SetStr("a")
	sl.AppendEmpty().SetEmptyMap().PutBool("deep", false)
	m.PutEmpty("empty")
	return v
}

func testExecution() Execution {
	end, d := tEnd, 876.5
	return Execution{Scope: testScope(), Status: StatusSuccess, StartedAt: tStart, CompletedAt: &end, DurationMs: &d,
		ErrorMessage: "e", Input: everyValue(), Output: pcommon.NewValueStr("out"), NodeCount: 3, ErrorCount: 1, RetryCount: 2,
		PromptTokens: 8, CompletionTokens: 9, TotalTokens: 17, EstimatedCost: 0.25, LastSeen: tEnd, Source: "api+otlp",
		TraceIDs: []string{"3d337f69eff943387b62ebba62f20a9c", "4d337f69eff943387b62ebba62f20a9c"}, SessionID: "s",
		UserID: "u", Models: []string{"gpt-4o", "o3"}, Truncated: true}
}

// Both forms of a record decode to the same value, for full and sparse
// records: the exporter and the connector read either.
func TestCompactRecordsDecodeLikeMapRecords(t *testing.T) {
	full, sparse := testExecution(), Execution{Scope: Scope{ExecutionID: uuid.New()}, Status: StatusRunning,
		StartedAt: tStart, LastSeen: tEnd, Input: pcommon.NewValueEmpty(), Output: pcommon.NewValueEmpty(), Deleted: true}
	for _, in := range []Execution{full, sparse} {
		var got []Execution
		for _, enc := range []RecordEncoding{RecordEncodingCompact, RecordEncodingMap} {
			got = append(got, roundTrip(t, EventExecutionRecord, in.ExecutionID,
				func(lrs plog.LogRecordSlice) { in.AppendRecord(lrs, enc) }, DecodeExecution))
		}
		assert.Equal(t, got[1], got[0], "compact and map decode alike")
		assert.Equal(t, in, got[0])
	}

	nfull := testNodeExecution()
	nfull.Input, nfull.Output = everyValue(), pcommon.NewValueEmpty()
	nsparse := NodeExecution{Scope: Scope{ExecutionID: uuid.New(), ProjectID: uuid.New()}, ID: uuid.New(), NodeName: "n",
		Status: StatusError, StartedAt: tStart, Input: pcommon.NewValueEmpty(), Output: pcommon.NewValueEmpty(), Deleted: true}
	for _, in := range []NodeExecution{nfull, nsparse} {
		var got []NodeExecution
		for _, enc := range []RecordEncoding{RecordEncodingCompact, RecordEncodingMap} {
			got = append(got, roundTrip(t, EventNodeExecutionRecord, in.ExecutionID,
				func(lrs plog.LogRecordSlice) { in.AppendRecord(lrs, enc) }, DecodeNodeExecution))
			id, err := NodeRecordID(lrs1(func(lrs plog.LogRecordSlice) { in.AppendRecord(lrs, enc) }))
			require.NoError(t, err)
			assert.Equal(t, in.ID, id, "%s: the node execution id", enc)
		}
		assert.Equal(t, got[1], got[0], "compact and map decode alike")
		in.ProjectID = got[1].ProjectID // an id without its name is not carried, in either form
		assert.Equal(t, in, got[0])
	}
}

// A summary is the full record less its input and output, which are empty
// and read-only.
func TestSummariesLeaveOutTheValues(t *testing.T) {
	e, n := testExecution(), testNodeExecution()
	n.Input, n.Output = everyValue(), pcommon.NewValueStr("out")
	for _, enc := range []RecordEncoding{RecordEncodingCompact, RecordEncodingMap} {
		elr := lrs1(func(lrs plog.LogRecordSlice) { e.AppendRecord(lrs, enc) })
		full, err := DecodeExecution(elr)
		require.NoError(t, err)
		sum, err := DecodeExecutionSummary(elr)
		require.NoError(t, err)
		nlr := lrs1(func(lrs plog.LogRecordSlice) { n.AppendRecord(lrs, enc) })
		nfull, err := DecodeNodeExecution(nlr)
		require.NoError(t, err)
		nsum, err := DecodeNodeSummary(nlr)
		require.NoError(t, err)
		if enc == RecordEncodingMap {
			assert.Equal(t, full, sum, "a map record is read in full")
			assert.Equal(t, nfull, nsum, "a map record is read in full")
			continue
		}
		for _, v := range []pcommon.Value{sum.Input, sum.Output, nsum.Input, nsum.Output} {
			assert.Equal(t, pcommon.ValueTypeEmpty, v.Type())
			assert.Panics(t, func() { v.SetStr("x") }, "the shared empty value is read-only")
		}
		sum.Input, sum.Output, nsum.Input, nsum.Output = full.Input, full.Output, nfull.Input, nfull.Output
		assert.Equal(t, full, sum)
		assert.Equal(t, nfull, nsum)
	}
}

func lrs1(add func(plog.LogRecordSlice)) plog.LogRecord {
	lrs := plog.NewLogRecordSlice()
	add(lrs)
	return lrs.At(0)
}

// A damaged compact body is an error, never a panic or a partial record:
// every truncation, every single flipped byte, random bodies, bodies that
// claim more than they hold or nest without end.
func TestCompactRecordRefusesDamagedBodies(t *testing.T) {
	e, n := testExecution(), testNodeExecution()
	bodies := map[string][]byte{
		"execution": lrs1(func(lrs plog.LogRecordSlice) { e.AppendRecord(lrs, RecordEncodingCompact) }).Body().Bytes().AsRaw(),
		"node":      lrs1(func(lrs plog.LogRecordSlice) { n.AppendRecord(lrs, RecordEncodingCompact) }).Body().Bytes().AsRaw(),
	}
	decode := func(raw []byte) (errs [3]error) {
		lr := plog.NewLogRecord()
		lr.Body().SetEmptyBytes().FromRaw(raw)
		_, errs[0] = DecodeExecution(lr)
		_, errs[1] = DecodeNodeExecution(lr)
		_, errs[2] = NodeRecordID(lr)
		// The summaries skip the values, with the same checks.
		_, se := DecodeExecutionSummary(lr)
		_, sn := DecodeNodeSummary(lr)
		assert.Equal(t, errs[0] != nil, se != nil, "execution summary of %x: %v", raw, se)
		assert.Equal(t, errs[1] != nil, sn != nil, "node summary of %x: %v", raw, sn)
		return errs
	}
	for name, body := range bodies {
		for cut := range len(body) {
			errs := decode(body[:cut])
			assert.Error(t, errs[0], "%s cut at %d", name, cut)
			assert.Error(t, errs[1], "%s cut at %d", name, cut)
		}
		assert.Error(t, decode(append(append([]byte{}, body...), 0))[0], "%s with a trailing byte", name)
		for i := range body {
			for _, x := range []byte{0x01, 0x80, 0xff} {
				damaged := append([]byte{}, body...)
				damaged[i] ^= x
				decode(damaged) // must not panic
			}
		}
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		raw := make([]byte, r.IntN(64))
		for i := range raw {
			raw[i] = byte(r.IntN(256))
		}
		if len(raw) > 1 {
			raw[0], raw[1] = compactVersion, []byte{compactExecution, compactNode}[r.IntN(2)]
		}
		decode(raw)
	}
	// A long string claimed by a short body, and a value nested 10,000 deep.
	claim := append([]byte{compactVersion, compactNode}, make([]byte, 16)...)
	claim = append(claim, 0xff, 0xff, 0xff, 0xff, 0x0f)
	assert.Error(t, decode(claim)[1])
	deep := append([]byte{compactVersion, compactExecution}, make([]byte, 16)...)
	deep = append(deep, 0)
	deep = append(deep, make([]byte, 16)...)
	deep = append(deep, 0, 0, 0, 0, 0)
	for range 10000 {
		deep = append(deep, tagSlice, 1)
	}
	assert.ErrorContains(t, decode(deep)[0], "nested too deep")
	for _, head := range [][]byte{nil, {compactVersion}, {2, compactExecution}, {compactVersion, 'X'}} {
		assert.Error(t, decode(head)[0], "head %v", head)
	}
}

// A value nested deeper than a body may hold is cut there, and the record
// still decodes.
func TestCompactRecordCutsDeepValues(t *testing.T) {
	e := testExecution()
	e.Input = pcommon.NewValueSlice()
	inner := e.Input
	for range maxValueDepth + 10 {
		inner = inner.Slice().AppendEmpty()
		inner.SetEmptySlice()
	}
	got, err := DecodeExecution(lrs1(func(lrs plog.LogRecordSlice) { e.AppendRecord(lrs, RecordEncodingCompact) }))
	require.NoError(t, err)
	depth := 0
	for v := got.Input; v.Type() == pcommon.ValueTypeSlice && v.Slice().Len() > 0; v = v.Slice().At(0) {
		depth++
	}
	assert.Equal(t, maxValueDepth, depth)
}

// A compact body holds numbers to the map form's bounds: out of them, a
// value is dropped when read, as from a map (a sender can make either).
func TestCompactRecordsKeepTheBounds(t *testing.T) {
	neg, nan, huge, big := -1.0, math.NaN(), math.Inf(1), int64(MaxCount+1)
	n := testNodeExecution()
	n.PrepDurationMs, n.ExecDurationMs, n.PostDurationMs, n.EstimatedCost = &neg, &nan, &huge, &neg
	n.PromptTokens, n.CompletionTokens, n.RetryCount = &big, &big, MaxRetries+1
	e := testExecution()
	e.DurationMs, e.EstimatedCost, e.NodeCount, e.TotalTokens = &huge, math.Inf(1), -5, -1
	var nodes []NodeExecution
	var execs []Execution
	for _, enc := range []RecordEncoding{RecordEncodingCompact, RecordEncodingMap} {
		got, err := DecodeNodeExecution(lrs1(func(lrs plog.LogRecordSlice) { n.AppendRecord(lrs, enc) }))
		require.NoError(t, err)
		nodes = append(nodes, got)
		x, err := DecodeExecution(lrs1(func(lrs plog.LogRecordSlice) { e.AppendRecord(lrs, enc) }))
		require.NoError(t, err)
		execs = append(execs, x)
	}
	assert.Equal(t, nodes[1], nodes[0])
	assert.Equal(t, execs[1], execs[0])
	c := nodes[0]
	assert.Equal(t, []any{(*float64)(nil), (*float64)(nil), (*float64)(nil), (*float64)(nil), (*int64)(nil), (*int64)(nil), int64(0)},
		[]any{c.PrepDurationMs, c.ExecDurationMs, c.PostDurationMs, c.EstimatedCost, c.PromptTokens, c.CompletionTokens, c.RetryCount})
	assert.Equal(t, *n.TotalTokens, *c.TotalTokens, "what is in bounds stays")
	x := execs[0]
	assert.Equal(t, []any{(*float64)(nil), 0.0, int64(0), int64(0)}, []any{x.DurationMs, x.EstimatedCost, x.NodeCount, x.TotalTokens})
}

// IsCompactRecord tells compact record bodies from map ones, other events
// and bodies of another kind, by their head.
func TestIsCompactRecord(t *testing.T) {
	n, e := testNodeExecution(), testExecution()
	for enc, want := range map[RecordEncoding]bool{RecordEncodingCompact: true, RecordEncodingMap: false} {
		assert.Equal(t, want, IsCompactRecord(lrs1(func(lrs plog.LogRecordSlice) { n.AppendRecord(lrs, enc) })), "node, %s", enc)
		assert.Equal(t, want, IsCompactRecord(lrs1(func(lrs plog.LogRecordSlice) { e.AppendRecord(lrs, enc) })), "execution, %s", enc)
	}
	lr := lrs1(func(lrs plog.LogRecordSlice) { n.AppendRecord(lrs, RecordEncodingCompact) })
	lr.SetEventName(EventExecutionRecord)
	assert.False(t, IsCompactRecord(lr), "a node body under the execution event")
	lr.Body().SetEmptyBytes().FromRaw([]byte{compactVersion})
	assert.False(t, IsCompactRecord(lr), "a body of one byte")
	lr.SetEventName("other")
	assert.False(t, IsCompactRecord(lr), "another event")
}
