//go:build integration

package clickhouseexporter

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/exporter/exportertest"

	"github.com/agora-otelcol/agora-otelcol/exporter/clickhouseexporter/internal/metadata"
	"github.com/agora-otelcol/agora-otelcol/internal/chtest"
)

// With a persistent queue, the buffer a span request was converted into is
// reused for the next request once the queue has stored it; every request
// reaches ClickHouse as its own spans, none overwritten by a later one.
func TestIntegrationRecycledArrivalsKeepQueuedSpans(t *testing.T) {
	ctx := context.Background()
	conn := chtest.Conn(t)
	db := chtest.NewDatabase(t, conn)
	host, storageID := walQueueHost(t)
	cfg := createDefaultConfig().(*Config)
	cfg.Connection.Endpoint = chtest.NativeEndpoint()
	cfg.Connection.Database = db
	cfg.QueueConfig.Get().StorageID = &storageID
	exp, err := NewFactory().CreateTraces(ctx, exportertest.NewNopSettings(metadata.Type), cfg)
	require.NoError(t, err)
	require.NoError(t, exp.Start(ctx, host))
	drainArrivals()
	const requests, spans = 20, 50
	for r := range requests {
		td := namedSpans(fmt.Sprintf("req%02d", r), spans) // equal sizes: each fits the last one's buffer
		for i, s := range td.ResourceSpans().At(0).ScopeSpans().At(0).Spans().All() {
			s.SetTraceID([16]byte{1, byte(r)})
			s.SetSpanID([8]byte{1, byte(r), byte(i)})
			s.Attributes().PutInt("request", int64(r))
		}
		require.NoError(t, exp.ConsumeTraces(ctx, td))
	}
	assert.NotEmpty(t, spanRows.arrivals.idle, "stored requests' buffers are recycled")
	// A persistent queue keeps what it holds at shutdown for the next
	// start: wait until every span is in.
	require.Eventually(t, func() bool {
		var n uint64
		return conn.QueryRow(ctx, "SELECT count() FROM `"+db+"`.spans").Scan(&n) == nil && n >= requests*spans
	}, 30*time.Second, 50*time.Millisecond)
	require.NoError(t, exp.Shutdown(ctx))

	type row struct {
		SpanName string
		Request  string
	}
	rows := map[string]string{}
	for _, r := range chtest.Rows[row](t, conn, "SELECT SpanName, SpanAttributes['request'] AS Request FROM `"+db+"`.spans") {
		_, dup := rows[r.SpanName]
		require.False(t, dup, "span %s stored twice", r.SpanName)
		rows[r.SpanName] = r.Request
	}
	require.Equal(t, requests*spans, len(rows))
	for r := range requests {
		for i := range spans {
			name := fmt.Sprintf("req%02d-%d", r, i)
			require.Equal(t, fmt.Sprint(r), rows[name], "span %s", name)
		}
	}
}
