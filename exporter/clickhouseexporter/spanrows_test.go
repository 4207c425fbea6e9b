package clickhouseexporter

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/ClickHouse/ch-go/proto"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/exporter/exporterhelper"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
	pdatareq "go.opentelemetry.io/collector/pdata/xpdata/request"

	"github.com/agora-otelcol/agora-otelcol/internal/agora"
)

var testConv = spanConverter{window: agora.DefaultTimeWindow, now: time.Now}

// namedSpans are n spans named prefix-0 … prefix-(n-1), one resource.
func namedSpans(prefix string, n int) ptrace.Traces {
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr(agora.AttrOrgID, "org-1")
	spans := rs.ScopeSpans().AppendEmpty().Spans()
	for i := range n {
		s := spans.AppendEmpty()
		s.SetName(fmt.Sprintf("%s-%d", prefix, i))
		s.SetStartTimestamp(pcommon.NewTimestampFromTime(time.Now()))
	}
	return td
}

// names reads back every row's span name, in order.
func names(t *testing.T, r *rowRequest) []string {
	var out []string
	var v spanRow
	for i := range r.ItemsCount() {
		require.NoError(t, v.read(r.row(i)))
		out = append(out, string(v.name))
	}
	return out
}

// TestSpanRowRoundTrip: a row holds everything the spans table stores: read
// back as OTLP it is the span it came from (attribute values as text).
func TestSpanRowRoundTrip(t *testing.T) {
	in := testTraces()
	req := testConv.convert(in)
	require.Equal(t, 1, req.ItemsCount())
	var v spanRow
	require.NoError(t, v.read(req.row(0)))
	assert.Equal(t, "org-1", string(v.org))
	assert.Equal(t, "demo-app", string(v.service))

	want := in.ResourceSpans().At(0)
	got := v.traces().ResourceSpans().At(0)
	assert.Equal(t, want.Resource().Attributes().AsRaw(), got.Resource().Attributes().AsRaw())
	assert.Equal(t, "agora_tracer", got.ScopeSpans().At(0).Scope().Name())
	assert.Equal(t, "1.2.3", got.ScopeSpans().At(0).Scope().Version())
	ws, gs := want.ScopeSpans().At(0).Spans().At(0), got.ScopeSpans().At(0).Spans().At(0)
	assert.Equal(t, ws.TraceID(), gs.TraceID())
	assert.Equal(t, ws.SpanID(), gs.SpanID())
	assert.Equal(t, ws.ParentSpanID(), gs.ParentSpanID())
	assert.Equal(t, ws.TraceState().AsRaw(), gs.TraceState().AsRaw())
	assert.Equal(t, ws.Name(), gs.Name())
	assert.Equal(t, ws.Kind(), gs.Kind())
	assert.Equal(t, ws.StartTimestamp(), gs.StartTimestamp())
	assert.Equal(t, ws.EndTimestamp(), gs.EndTimestamp())
	assert.Equal(t, expectedRow().Attributes, toStrings(gs.Attributes()))
	assert.Equal(t, ws.Status().Code(), gs.Status().Code())
	assert.Equal(t, ws.Status().Message(), gs.Status().Message())
	require.Equal(t, 1, gs.Events().Len())
	assert.Equal(t, ws.Events().At(0).Name(), gs.Events().At(0).Name())
	assert.Equal(t, ws.Events().At(0).Timestamp(), gs.Events().At(0).Timestamp())
	assert.Equal(t, ws.Events().At(0).Attributes().AsRaw(), gs.Events().At(0).Attributes().AsRaw())
	require.Equal(t, 1, gs.Links().Len())
	assert.Equal(t, ws.Links().At(0).TraceID(), gs.Links().At(0).TraceID())
	assert.Equal(t, ws.Links().At(0).SpanID(), gs.Links().At(0).SpanID())
	assert.Equal(t, ws.Links().At(0).Attributes().AsRaw(), gs.Links().At(0).Attributes().AsRaw())
}

func toStrings(m pcommon.Map) map[string]string {
	out := map[string]string{}
	for k, v := range m.All() {
		out[k] = v.AsString()
	}
	return out
}

// TestSpanRequestMergeSplit: merging keeps every row in order; splitting
// never exceeds the limit (items or bytes) and loses no row, and the parts
// do not share memory a later merge could overwrite.
func TestSpanRequestMergeSplit(t *testing.T) {
	a, b := testConv.convert(namedSpans("a", 3)), testConv.convert(namedSpans("b", 4))
	merged, err := a.MergeSplit(context.Background(), 0, exporterhelper.RequestSizerTypeItems, b)
	require.NoError(t, err)
	require.Len(t, merged, 1)
	all := merged[0].(*rowRequest)
	assert.Equal(t, []string{"a-0", "a-1", "a-2", "b-0", "b-1", "b-2", "b-3"}, names(t, all))

	parts, err := all.MergeSplit(context.Background(), 3, exporterhelper.RequestSizerTypeItems, nil)
	require.NoError(t, err)
	var got []string
	for i, p := range parts {
		n := p.ItemsCount()
		assert.LessOrEqual(t, n, 3)
		if i > 0 {
			assert.LessOrEqual(t, n, parts[0].ItemsCount(), "the last part is the smallest")
		}
		got = append(got, names(t, p.(*rowRequest))...)
	}
	assert.Equal(t, names(t, all), got)

	// a merge into the first part must leave the second intact
	first, second := parts[0].(*rowRequest), parts[1].(*rowRequest)
	before := names(t, second)
	_, err = first.MergeSplit(context.Background(), 0, exporterhelper.RequestSizerTypeItems, testConv.convert(namedSpans("c", 5)))
	require.NoError(t, err)
	assert.Equal(t, before, names(t, second))

	rowBytes := all.refs[0].size(exporterhelper.RequestSizerTypeBytes)
	parts, err = testConv.convert(namedSpans("d", 10)).MergeSplit(context.Background(), 2*rowBytes, exporterhelper.RequestSizerTypeBytes, nil)
	require.NoError(t, err)
	total := 0
	for _, p := range parts {
		assert.LessOrEqual(t, p.BytesSize()-1, 2*rowBytes)
		total += p.ItemsCount()
	}
	assert.Equal(t, 10, total)

	// one row larger than the limit is sent alone, not dropped
	parts, err = testConv.convert(namedSpans("e", 3)).MergeSplit(context.Background(), 1, exporterhelper.RequestSizerTypeBytes, nil)
	require.NoError(t, err)
	assert.Len(t, parts, 3)
}

// TestSpanEncoding: the queue's bytes decode to the same rows; a damaged
// item is refused with an error; an item an older version wrote (OTLP
// protobuf) is still read.
func TestSpanEncoding(t *testing.T) {
	enc := spanEncoding(testConv)
	req := testConv.convert(namedSpans("a", 5))
	b, err := enc.Marshal(context.Background(), req)
	require.NoError(t, err)
	_, back, err := enc.Unmarshal(append([]byte(nil), b...))
	require.NoError(t, err)
	assert.Equal(t, names(t, req), names(t, back.(*rowRequest)))

	for n := 1; n < len(b); n++ {
		_, r, err := enc.Unmarshal(append([]byte(nil), b[:n]...))
		if err == nil {
			// cut exactly between rows: the rows before the cut, whole
			assert.Less(t, r.ItemsCount(), 5)
		}
	}
	_, _, err = enc.Unmarshal([]byte{rowsV1, 0xff, 0xff, 0xff, 0x7f, 1})
	require.Error(t, err, "a length beyond the item")

	old, err := pdatareq.MarshalTraces(context.Background(), namedSpans("old", 2))
	require.NoError(t, err)
	_, r, err := enc.Unmarshal(old)
	require.NoError(t, err)
	assert.Equal(t, []string{"old-0", "old-1"}, names(t, r.(*rowRequest)))
}

// TestDamagedSpanRowIsRefused: every truncation of a row is an error (the
// insert sends such a row to dead letters), never a panic or a short row.
func TestDamagedSpanRowIsRefused(t *testing.T) {
	row := testConv.convert(testTraces()).row(0)
	var v spanRow
	for n := range len(row) {
		assert.Error(t, v.read(row[:n]), "cut at %d", n)
	}
	assert.Error(t, v.read(append(append([]byte(nil), row...), 0)), "trailing bytes")
	block := &spanBlock{req: &rowRequest{buf: append([]byte{rowsV1, 3, 0, 0, 0}, 1, 2, 3), refs: []rowRef{{0, 5, 8}}, bytes: 8}, cols: newSpanColumns()}
	_, err := block.encode(0, 1)
	require.Error(t, err)
	org, item := block.describe(0)
	assert.Empty(t, org)
	assert.Contains(t, item, "damaged span row")
}

func FuzzSpanRow(f *testing.F) {
	f.Add(testConv.convert(testTraces()).row(0))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, row []byte) {
		var v spanRow
		if v.read(row) != nil {
			return
		}
		c := newSpanColumns()
		c.append(&v)
		_ = encodeNative(c.input(), 1)
		_ = v.traces()
	})
}

// BenchmarkSpanRequest: what a span costs on each side of the queue, for
// agora_tracer executions (14 spans each, 50 per request): converting on
// arrival, and reading rows into columns for an insert.
func BenchmarkSpanRequest(b *testing.B) {
	td := benchSpans()
	n := td.SpanCount()
	b.Run("convert", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			testConv.convert(td)
		}
		b.ReportMetric(float64(b.N*n)/b.Elapsed().Seconds(), "spans/s")
	})
	// block: the rows read into columns and the block encoded as the
	// native protocol sends it (before compression).
	b.Run("block", func(b *testing.B) {
		req := testConv.convert(td)
		block := &spanBlock{req: req, cols: newSpanColumns()}
		var buf proto.Buffer
		b.ReportAllocs()
		for b.Loop() {
			input, err := block.encode(0, n)
			if err != nil {
				b.Fatal(err)
			}
			buf.Reset()
			if err := (proto.Block{Columns: len(input), Rows: n}).EncodeRawBlock(&buf, proto.Version, input); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N*n)/b.Elapsed().Seconds(), "spans/s")
	})
}

// TestRowSizeHintIsBounded: a request of one huge span does not make the
// next request, of many small spans, reserve its size for every row.
func TestRowSizeHintIsBounded(t *testing.T) {
	huge := namedSpans("huge", 1)
	huge.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0).Attributes().PutStr("blob", string(make([]byte, 1<<20)))
	testConv.convert(huge)
	assert.LessOrEqual(t, rowSizeHint.Load(), int64(maxRowSizeHint))
	r := testConv.convert(namedSpans("small", 10000))
	assert.LessOrEqual(t, cap(r.buf), 1+10000*maxRowSizeHint)
	assert.Equal(t, 10000, r.ItemsCount())
}
