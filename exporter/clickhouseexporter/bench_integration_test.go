//go:build integration

package clickhouseexporter

import (
	"context"
	"testing"
	"time"

	"github.com/ClickHouse/ch-go/proto"
	"github.com/agora-otelcol/agora-otelcol/internal/agora"
	"github.com/agora-otelcol/agora-otelcol/internal/chtest"
	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
)

// BenchmarkSpansToBlock: pdata spans to an insert block. "columns" is this
// exporter (converted to rows, as on arrival, then read into ch-go columns,
// encoded as the Native block sent over HTTP);
// "rowwise" appends the same spans row by row through clickhouse-go's batch
// API, as contrib's exporter does (Map columns as Go maps), to a prepared
// batch that is never sent.
func BenchmarkSpansToBlock(b *testing.B) {
	td := benchSpans()
	n := td.SpanCount()
	b.Run("columns", func(b *testing.B) {
		b.ReportAllocs()
		c := newSpanColumns()
		conv := spanConverter{window: agora.DefaultTimeWindow, now: time.Now}
		var buf proto.Buffer
		for b.Loop() {
			req := conv.convert(td)
			if _, err := (&spanBlock{req: req, cols: c}).encode(0, req.ItemsCount()); err != nil {
				b.Fatal(err)
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
