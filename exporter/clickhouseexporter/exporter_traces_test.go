package clickhouseexporter

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.uber.org/zap"

	"github.com/agora-otelcol/agora-otelcol/internal/chtest"
)

func collect(m *attrMap) map[string]string {
	out := map[string]string{}
	for it := m.Iterator(); it.Next(); {
		out[it.Key().(string)] = it.Value().(string)
	}
	return out
}

func TestSpanColumnsFromTraces(t *testing.T) {
	// prepare
	td := testTraces()
	// test
	cols := newSpanColumns(td.SpanCount())
	cols.appendTraces(td)
	// verify
	require.Equal(t, 1, cols.len())
	want := expectedRow()
	assert.Equal(t, want.TraceID, cols.traceID[0])
	assert.Equal(t, want.ParentSpanID, cols.parentSpanID[0])
	assert.Equal(t, want.ServiceName, cols.service[0])
	assert.Equal(t, want.Attributes, collect(cols.spanAttrs[0]))
	assert.Equal(t, want.ResourceAttributes, collect(cols.resourceAttrs[0]))
	assert.Equal(t, want.DurationNs, cols.duration[0])
	assert.Equal(t, want.EventNames, cols.eventNames[0])
	assert.Equal(t, want.LinkSpanIDs, cols.linkSpanIDs[0])
}

func TestSpanColumnsEdgeCases(t *testing.T) {
	// prepare: a root span with no ids, no events, and an end before its start
	td := ptrace.NewTraces()
	span := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans().AppendEmpty()
	span.SetStartTimestamp(pcommon.Timestamp(2000))
	span.SetEndTimestamp(pcommon.Timestamp(1000))
	// test
	cols := newSpanColumns(1)
	cols.appendTraces(td)
	// verify
	assert.Equal(t, uint64(0), cols.duration[0], "clock skew never wraps to a huge duration")
	assert.Empty(t, cols.traceID[0])
	assert.Empty(t, cols.parentSpanID[0])
	assert.Empty(t, cols.service[0])
	assert.Empty(t, cols.eventNames[0])
	assert.Equal(t, "Unset", cols.statusCode[0])
}

func TestAttrMapKeepsOrder(t *testing.T) {
	attrs := pcommon.NewMap()
	for i := range 50 {
		attrs.PutInt(fmt.Sprintf("k%02d", i), int64(i))
	}
	m := attributesToMap(attrs)
	i := 0
	for it := m.Iterator(); it.Next(); i++ {
		assert.Equal(t, fmt.Sprintf("k%02d", i), it.Key())
	}
	assert.Equal(t, 50, i)
}

// benchTraces is an agora_tracer-like load: 1000 spans, 10 attributes each.
func benchTraces() ptrace.Traces {
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("service.name", "bench-app")
	rs.Resource().Attributes().PutStr("agora.project", "bench")
	ss := rs.ScopeSpans().AppendEmpty()
	start := time.Now()
	for i := range 1000 {
		s := ss.Spans().AppendEmpty()
		s.SetTraceID(pcommon.TraceID{byte(i), 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15})
		s.SetSpanID(pcommon.SpanID{byte(i), byte(i >> 8), 3, 4, 5, 6, 7, 8})
		s.SetName("Node.exec")
		s.SetStartTimestamp(pcommon.NewTimestampFromTime(start))
		s.SetEndTimestamp(pcommon.NewTimestampFromTime(start.Add(time.Millisecond)))
		for k := range 10 {
			s.Attributes().PutStr(fmt.Sprintf("attr.%d", k), "value")
		}
		ev := s.Events().AppendEmpty()
		ev.SetName("retry")
	}
	return td
}

// BenchmarkSpansToBatch measures the pdata -> insert batch path (no network
// send) against the real driver. "rowwise" is the baseline: one
// batch.Append per span, as contrib's exporter does.
func BenchmarkSpansToBatch(b *testing.B) {
	conn := chtest.Conn(b)
	db := chtest.NewDatabase(b, conn)
	cfg := createDefaultConfig().(*Config)
	cfg.Connection.Endpoint, cfg.Connection.Database = chtest.NativeEndpoint(), db
	exp, err := newTracesExporter(cfg, zap.NewNop())
	require.NoError(b, err)
	require.NoError(b, exp.start(context.Background(), componenttest.NewNopHost()))
	b.Cleanup(func() { _ = exp.shutdown(context.Background()) })
	td := benchTraces()
	ctx := context.Background()

	b.Run("columnar", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			db, err := exp.conn()
			require.NoError(b, err)
			batch, err := db.PrepareBatch(ctx, exp.insertSQL)
			require.NoError(b, err)
			cols := newSpanColumns(td.SpanCount())
			cols.appendTraces(td)
			require.NoError(b, fillBatch(batch, cols.columns()))
			require.NoError(b, batch.Abort())
		}
		b.ReportMetric(float64(b.N*td.SpanCount())/b.Elapsed().Seconds(), "spans/s")
	})
	b.Run("rowwise", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			db, err := exp.conn()
			require.NoError(b, err)
			batch, err := db.PrepareBatch(ctx, exp.insertSQL)
			require.NoError(b, err)
			cols := newSpanColumns(td.SpanCount())
			cols.appendTraces(td)
			for i := range cols.len() {
				require.NoError(b, batch.Append(cols.orgID[i], cols.executionID[i], cols.timestamp[i], cols.traceID[i],
					cols.spanID[i], cols.parentSpanID[i], cols.traceState[i], cols.spanName[i], cols.spanKind[i],
					cols.service[i], cols.resourceAttrs[i], cols.scopeName[i], cols.scopeVersion[i], cols.spanAttrs[i],
					cols.duration[i], cols.statusCode[i], cols.statusMessage[i], cols.eventTimes[i], cols.eventNames[i],
					cols.eventAttrs[i], cols.linkTraceIDs[i], cols.linkSpanIDs[i], cols.linkStates[i], cols.linkAttrs[i]))
			}
			require.NoError(b, batch.Abort())
		}
		b.ReportMetric(float64(b.N*td.SpanCount())/b.Elapsed().Seconds(), "spans/s")
	})
	b.Run("insert", func(b *testing.B) {
		// Whole push including the network send and the server's insert.
		for b.Loop() {
			require.NoError(b, exp.pushTraces(ctx, benchTraces()))
		}
		b.ReportMetric(float64(b.N*td.SpanCount())/b.Elapsed().Seconds(), "spans/s")
	})
}
