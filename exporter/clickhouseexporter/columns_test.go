package clickhouseexporter

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/ClickHouse/ch-go/proto"
	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/agora-otelcol/agora-otelcol/internal/agora"
	"github.com/agora-otelcol/agora-otelcol/internal/chtest"
	"github.com/agora-otelcol/agora-otelcol/internal/loadgen"
)

func encodeSpans(td ptrace.Traces) *spanColumns {
	c := newSpanColumns()
	for _, it := range spanItems(td) {
		c.append(it, agora.DefaultTimeWindow, time.Now())
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
	encode := func() []byte {
		c := newSpanColumns()
		for _, it := range spanItems(td) {
			c.append(it, agora.DefaultTimeWindow, now)
		}
		return encodeNative(c.input(), 1)
	}
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

// BenchmarkSpansToBlock: pdata spans to an insert block. "columns" is this
// exporter (ch-go columns, encoded as the Native block sent over HTTP);
// "rowwise" appends the same spans row by row through clickhouse-go's batch
// API, as contrib's exporter does (Map columns as Go maps), to a prepared
// batch that is never sent.
func BenchmarkSpansToBlock(b *testing.B) {
	td := benchSpans()
	n := td.SpanCount()
	b.Run("columns", func(b *testing.B) {
		b.ReportAllocs()
		c := newSpanColumns()
		now := time.Now()
		var buf proto.Buffer
		for b.Loop() {
			c.reset()
			for _, it := range spanItems(td) {
				c.append(it, agora.DefaultTimeWindow, now)
			}
			buf.Reset()
			if err := (proto.Block{Columns: len(c.input()), Rows: n}).EncodeRawBlock(&buf, 0, c.input()); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N*n)/b.Elapsed().Seconds(), "spans/s")
	})
	b.Run("rowwise", func(b *testing.B) {
		conn := chtest.Conn(b)
		db := chtest.NewDatabase(b, conn)
		exp, err := startExporter(&testing.T{}, chtest.NativeEndpoint(), db, nil)
		require.NoError(b, err)
		defer func() { _ = exp.Shutdown(context.Background()) }()
		b.ReportAllocs()
		for b.Loop() {
			batch, err := conn.PrepareBatch(context.Background(), "INSERT INTO `"+db+"`.spans (OrgId, ExecutionId, Timestamp, TraceId, SpanId, ParentSpanId, TraceState, SpanName, SpanKind, ServiceName, ResourceAttributes, ScopeName, ScopeVersion, SpanAttributes, Duration, StatusCode, StatusMessage, `Events.Timestamp`, `Events.Name`, `Events.Attributes`, `Links.TraceId`, `Links.SpanId`, `Links.TraceState`, `Links.Attributes`)")
			require.NoError(b, err)
			for _, rs := range td.ResourceSpans().All() {
				res := rs.Resource().Attributes().AsRaw()
				resAttrs := make(map[string]string, len(res))
				for k, v := range rs.Resource().Attributes().All() {
					resAttrs[k] = v.AsString()
				}
				for _, ss := range rs.ScopeSpans().All() {
					for _, s := range ss.Spans().All() {
						attrs := make(map[string]string, s.Attributes().Len())
						for k, v := range s.Attributes().All() {
							attrs[k] = v.AsString()
						}
						var evTimes []time.Time
						var evNames []string
						var evAttrs []map[string]string
						if err := batch.Append(agora.Str(rs.Resource().Attributes(), agora.AttrOrgID), uuid.UUID(s.TraceID()).String(),
							s.StartTimestamp().AsTime(), s.TraceID().String(), s.SpanID().String(), s.ParentSpanID().String(),
							s.TraceState().AsRaw(), s.Name(), s.Kind().String(), agora.Str(rs.Resource().Attributes(), agora.ResourceService),
							resAttrs, ss.Scope().Name(), ss.Scope().Version(), attrs, uint64(s.EndTimestamp()-s.StartTimestamp()),
							s.Status().Code().String(), s.Status().Message(), evTimes, evNames, evAttrs,
							[]string{}, []string{}, []string{}, []map[string]string{}); err != nil {
							b.Fatal(err)
						}
					}
				}
			}
			_ = batch.Abort()
		}
		b.ReportMetric(float64(b.N*n)/b.Elapsed().Seconds(), "spans/s")
	})
}
