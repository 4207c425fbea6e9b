package clickhouseexporter

import (
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/agora-otelcol/agora-otelcol/internal/agora"
	"github.com/agora-otelcol/agora-otelcol/internal/loadgen"
)

// encodeSpans converts td to rows, as on arrival, and reads them into
// columns, as an insert does.
func encodeSpans(td ptrace.Traces) *spanColumns {
	return encodeSpansAt(td, time.Now())
}

func encodeSpansAt(td ptrace.Traces, now time.Time) *spanColumns {
	c := newSpanColumns()
	req := spanConverter{window: agora.DefaultTimeWindow, now: func() time.Time { return now }}.convert(td)
	if _, err := (&spanBlock{req: req, cols: c}).encode(0, req.ItemsCount()); err != nil {
		panic(err)
	}
	return c
}

func TestSpanColumnsEdgeCases(t *testing.T) {
	// prepare: a root span with no ids, no events, and an end before its start
	td := ptrace.NewTraces()
	span := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans().AppendEmpty()
	span.SetStartTimestamp(pcommon.NewTimestampFromTime(time.Now()))
	span.SetEndTimestamp(span.StartTimestamp() - 1000)
	// test
	c := encodeSpans(td)
	// verify
	assert.Equal(t, uint64(0), c.duration.Row(0), "clock skew never wraps to a huge duration")
	assert.Empty(t, c.traceID.Row(0))
	assert.Empty(t, c.parentID.Row(0))
	assert.Empty(t, c.executionID.Row(0))
	assert.Equal(t, "Unset", c.statusCode.Row(0))
	assert.Equal(t, "Unspecified", c.spanKind.Row(0))
	assert.Equal(t, 0, c.eventNames.RowLen(0))
}

func TestSpanIDsAsText(t *testing.T) {
	c := encodeSpans(testTraces())
	want := expectedRow()
	assert.Equal(t, want.TraceID, c.traceID.Row(0))
	assert.Equal(t, want.SpanID, c.spanID.Row(0))
	assert.Equal(t, want.ExecutionID, c.executionID.Row(0), "a trace id as a UUID")
	assert.Equal(t, uuid.UUID(traceID), c.executionID.Row(0))
}

// TestBlocksAreDeterministic: the same request encodes to the same bytes,
// attributes in their order, so a retried insert is deduplicated.
func TestBlocksAreDeterministic(t *testing.T) {
	td := ptrace.NewTraces()
	span := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans().AppendEmpty()
	span.SetStartTimestamp(pcommon.NewTimestampFromTime(time.Now()))
	for i := range 50 {
		span.Attributes().PutInt(fmt.Sprintf("k%02d", i), int64(i))
	}
	now := time.Now()
	encode := func() []byte { return encodeNative(encodeSpansAt(td, now).input(), 1) }
	assert.Equal(t, encode(), encode())
	kv := encodeSpans(td).spanAttrs.col.RowKV(0)
	require.Len(t, kv, 50)
	assert.Equal(t, "k00", kv[0].Key)
	assert.Equal(t, "k49", kv[49].Key)
}

// benchSpans are agora_tracer executions, 50 per request, as loadgen sends.
func benchSpans() ptrace.Traces {
	td, _ := loadgen.Traces(50, 3, time.Now())
	td.ResourceSpans().At(0).Resource().Attributes().PutStr(agora.AttrOrgID, "org-bench")
	return td
}

// A free list hands back the builders it keeps (their grown capacity with
// them), across garbage collections, and keeps no more than its size.
func TestFreeListKeepsBuildersAcrossGC(t *testing.T) {
	made := 0
	f := newFreeList(2, func() *[]byte { made++; b := make([]byte, 0, 8); return &b })
	a, b, c := f.get(), f.get(), f.get()
	require.Equal(t, 3, made)
	*a = append(*a, make([]byte, 1<<20)...)
	f.put(a)
	f.put(b)
	f.put(c) // beyond its size: dropped
	runtime.GC()
	runtime.GC()
	got := f.get()
	assert.Same(t, a, got, "the grown builder comes back")
	assert.GreaterOrEqual(t, cap(*got), 1<<20)
	assert.Same(t, b, f.get())
	f.get()
	assert.Equal(t, 4, made, "an empty list makes a fresh one")
}
