//go:build integration

package clickhouseexporter

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componentstatus"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer/consumererror"
	"go.opentelemetry.io/collector/exporter/exportertest"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/agora-otelcol/agora-otelcol/exporter/clickhouseexporter/internal/metadata"
	"github.com/agora-otelcol/agora-otelcol/exporter/clickhouseexporter/internal/sqltemplates"
	"github.com/agora-otelcol/agora-otelcol/internal/agora"
	"github.com/agora-otelcol/agora-otelcol/internal/chtest"
	"github.com/agora-otelcol/agora-otelcol/internal/testutil"
)

func selectSpans(t *testing.T, conn driver.Conn, db string) []agora.SpanRow {
	t.Helper()
	return chtest.Rows[agora.SpanRow](t, conn, "SELECT * FROM `"+db+"`.spans ORDER BY SpanId")
}

// startExporter builds the exporter through its factory, as the collector does.
func startExporter(t *testing.T, endpoint, db string, mutate func(*Config)) (exporterTraces, error) {
	t.Helper()
	cfg := createDefaultConfig().(*Config)
	cfg.Connection.Endpoint = endpoint
	cfg.Connection.Database = db
	if mutate != nil {
		mutate(cfg)
	}
	require.NoError(t, cfg.Validate())
	exp, err := NewFactory().CreateTraces(context.Background(), exportertest.NewNopSettings(metadata.Type), cfg)
	require.NoError(t, err)
	err = exp.Start(context.Background(), componenttest.NewNopHost())
	if err != nil {
		_ = exp.Shutdown(context.Background())
	}
	return exp, err
}

type exporterTraces interface {
	Start(context.Context, component.Host) error
	Shutdown(context.Context) error
	ConsumeTraces(context.Context, ptrace.Traces) error
}

func TestIntegrationStoresSpans(t *testing.T) {
	conn := chtest.Conn(t)
	for name, endpoint := range map[string]string{"native": chtest.NativeEndpoint(), "http": chtest.HTTPEndpoint()} {
		t.Run(name, func(t *testing.T) {
			db := chtest.NewDatabase(t, conn)
			exp, err := startExporter(t, endpoint, db, nil)
			require.NoError(t, err)
			require.NoError(t, exp.ConsumeTraces(context.Background(), testTraces()))
			// Shutdown drains the queue: every accepted span is inserted.
			require.NoError(t, exp.Shutdown(context.Background()))

			rows := selectSpans(t, conn, db)
			require.Len(t, rows, 1)
			assert.Equal(t, expectedRow(), rows[0])

			var start, end time.Time
			require.NoError(t, conn.QueryRow(context.Background(),
				"SELECT min(Start), max(End) FROM `"+db+"`.spans_trace_id_ts WHERE OrgId = 'org-1' AND TraceId = ?",
				"4bf92f3577b34da6a3ce929d0e0e4736").Scan(&start, &end))
			assert.Equal(t, testStart, start.UTC(), "trace id lookup window is filled")
		})
	}
}

func TestIntegrationSchemaIdempotent(t *testing.T) {
	conn := chtest.Conn(t)
	db := chtest.NewDatabase(t, conn)
	for range 2 {
		exp, err := startExporter(t, chtest.NativeEndpoint(), db, nil)
		require.NoError(t, err)
		require.NoError(t, exp.Shutdown(context.Background()))
	}
	var versions []struct {
		Version uint32 `ch:"Version"`
	}
	require.NoError(t, conn.Select(context.Background(), &versions, "SELECT DISTINCT Version FROM `"+db+"`.schema_migrations ORDER BY Version"))
	require.Len(t, versions, len(sqltemplates.Migrations))
	for i, v := range versions {
		assert.Equal(t, sqltemplates.Migrations[i].Version, v.Version)
	}
}

// TestIntegrationCreateSchemaFalse: without the DBA's schema the exporter
// says so in component status and keeps trying; once the schema is there,
// it stores without DDL of its own.
func TestIntegrationCreateSchemaFalse(t *testing.T) {
	conn := chtest.Conn(t)
	db := chtest.NewDatabase(t, conn)
	c, host := startClient(t, chtest.HTTPEndpoint(), db, func(c *Config) { c.CreateSchema = false })
	require.NotNil(t, host.Last())
	assert.Equal(t, componentstatus.StatusRecoverableError, host.Last().Status())
	assert.ErrorContains(t, host.Last().Err(), "create_schema is false")
	err := c.pushTraces(context.Background(), testTraces())
	require.ErrorContains(t, err, "create_schema is false")
	assert.False(t, consumererror.IsPermanent(err), "retried until the schema exists")

	exp, err := startExporter(t, chtest.NativeEndpoint(), db, nil) // migrates
	require.NoError(t, err)
	require.NoError(t, exp.Shutdown(context.Background()))
	time.Sleep(reconnectEvery)
	require.NoError(t, c.pushTraces(context.Background(), testTraces()))
	assert.Equal(t, componentstatus.StatusOK, host.Last().Status())
	assert.Len(t, selectSpans(t, conn, db), 1)
}

// startClient is the exporter's client alone (no queue, no retry): what a
// push does is seen at once.
func startClient(t *testing.T, endpoint, db string, mutate func(*Config)) (*client, *testutil.Host) {
	t.Helper()
	cfg := createDefaultConfig().(*Config)
	cfg.Connection.Endpoint, cfg.Connection.Database, cfg.Connection.DialTimeout = endpoint, db, 2*time.Second
	if mutate != nil {
		mutate(cfg)
	}
	c, err := newSignalClient(cfg, exportertest.NewNopSettings(metadata.Type))
	require.NoError(t, err)
	host := testutil.NewHost(nil)
	require.NoError(t, c.start(context.Background(), host))
	t.Cleanup(func() { require.NoError(t, c.shutdown(context.Background())) })
	return c, host
}

func TestIntegrationRetriedBatchStoresOnce(t *testing.T) {
	conn := chtest.Conn(t)
	db := chtest.NewDatabase(t, conn)
	exp, _ := startClient(t, chtest.HTTPEndpoint(), db, nil)

	// The same request twice is what exporterhelper's retry sends after a
	// timeout whose insert had in fact landed.
	require.NoError(t, exp.pushTraces(context.Background(), testTraces()))
	require.NoError(t, exp.pushTraces(context.Background(), testTraces()))

	var n uint64
	require.NoError(t, conn.QueryRow(context.Background(), "SELECT count() FROM `"+db+"`.spans").Scan(&n))
	assert.Equal(t, uint64(1), n, "identical retried block is deduplicated at insert")
}

func TestIntegrationUnreachableAtStart(t *testing.T) {
	// The collector starts: an outage must not become a crash loop.
	exp, host := startClient(t, "tcp://"+testutil.FreeAddr(t), "x", nil)
	assert.Equal(t, []componentstatus.Status{componentstatus.StatusRecoverableError}, host.Statuses())
	err := exp.pushTraces(context.Background(), testTraces())
	require.ErrorContains(t, err, "ClickHouse unreachable")
	assert.False(t, consumererror.IsPermanent(err), "retryable: the queue keeps the data")
}

// TestIntegrationRecoversWhenClickHouseAppears: ClickHouse becomes reachable
// after the collector started; what was accepted meanwhile is stored.
func TestIntegrationRecoversWhenClickHouseAppears(t *testing.T) {
	conn := chtest.Conn(t)
	db := chtest.NewDatabase(t, conn)
	// A TCP proxy to the real server that opens only later.
	proxy := testutil.NewCutProxy(t, strings.TrimPrefix(chtest.NativeEndpoint(), "tcp://"))

	cfg := createDefaultConfig().(*Config)
	cfg.Connection.Endpoint, cfg.Connection.Database, cfg.Connection.DialTimeout = "tcp://"+proxy.Addr, db, time.Second
	exp, err := NewFactory().CreateTraces(context.Background(), exportertest.NewNopSettings(metadata.Type), cfg)
	require.NoError(t, err)
	host := testutil.NewHost(nil)
	require.NoError(t, exp.Start(context.Background(), host))
	require.NoError(t, exp.ConsumeTraces(context.Background(), testTraces()), "accepted into the queue")
	time.Sleep(3 * time.Second) // retries back off to their longest wait
	proxy.Restore()
	restored := time.Now()

	assert.Eventually(t, func() bool {
		var n uint64
		return conn.QueryRow(context.Background(), "SELECT count() FROM `"+db+"`.spans").Scan(&n) == nil && n == 1
	}, 30*time.Second, 100*time.Millisecond, "the queued span lands once ClickHouse is reachable")
	assert.Less(t, time.Since(restored), 5*time.Second, "the backlog drains within 5 s of ClickHouse's return")
	assert.Contains(t, host.Statuses(), componentstatus.StatusOK)
	require.NoError(t, exp.Shutdown(context.Background()))
}
