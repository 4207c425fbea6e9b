package clickhouseexporter

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componentstatus"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer/consumererror"
	"go.opentelemetry.io/collector/exporter/exportertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/agora-otelcol/agora-otelcol/exporter/clickhouseexporter/internal/metadata"
	"github.com/agora-otelcol/agora-otelcol/exporter/clickhouseexporter/internal/sqltemplates"
	"github.com/agora-otelcol/agora-otelcol/internal/agora"
	"github.com/agora-otelcol/agora-otelcol/internal/chtest"
	"github.com/agora-otelcol/agora-otelcol/internal/testutil"
)

var (
	testStart = time.Date(2026, 11, 25, 17, 19, 5, 208537123, time.UTC)
	traceID   = pcommon.TraceID{0x4b, 0xf9, 0x2f, 0x35, 0x77, 0xb3, 0x4d, 0xa6, 0xa3, 0xce, 0x92, 0x9d, 0x0e, 0x0e, 0x47, 0x36}
	spanID    = pcommon.SpanID{0x00, 0xf0, 0x67, 0xaa, 0x0b, 0xa9, 0x02, 0xb7}
	parentID  = pcommon.SpanID{0x79, 0x84, 0x99, 0x14, 0xbe, 0x9b, 0xc1, 0xe8}
)

func testTraces() ptrace.Traces {
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("service.name", "demo-app")
	rs.Resource().Attributes().PutStr("agora.project", "demo-project")
	rs.Resource().Attributes().PutStr("agora.org.id", "org-1")
	ss := rs.ScopeSpans().AppendEmpty()
	ss.Scope().SetName("agora_tracer")
	ss.Scope().SetVersion("1.2.3")
	span := ss.Spans().AppendEmpty()
	span.SetTraceID(traceID)
	span.SetSpanID(spanID)
	span.SetParentSpanID(parentID)
	span.TraceState().FromRaw("vendor=x")
	span.SetName("Think.exec")
	span.SetKind(ptrace.SpanKindInternal)
	span.SetStartTimestamp(pcommon.NewTimestampFromTime(testStart))
	span.SetEndTimestamp(pcommon.NewTimestampFromTime(testStart.Add(70 * time.Millisecond)))
	span.Attributes().PutStr("agora.node", "Think")
	span.Attributes().PutInt("retry_count", 1)
	span.Attributes().PutDouble("duration_ms", 70.5)
	span.Attributes().PutBool("cached", true)
	span.Attributes().PutEmptySlice("tags").AppendEmpty().SetStr("a")
	span.Status().SetCode(ptrace.StatusCodeError)
	span.Status().SetMessage("boom")
	ev := span.Events().AppendEmpty()
	ev.SetName("exception")
	ev.SetTimestamp(pcommon.NewTimestampFromTime(testStart.Add(time.Millisecond)))
	ev.Attributes().PutStr("exception.message", "boom")
	link := span.Links().AppendEmpty()
	link.SetTraceID(traceID)
	link.SetSpanID(parentID)
	link.Attributes().PutStr("why", "follows")
	return td
}

func expectedRow() agora.SpanRow {
	return agora.SpanRow{
		OrgID:              "org-1",
		ExecutionID:        uuid.MustParse("4bf92f35-77b3-4da6-a3ce-929d0e0e4736"), // the trace id as a UUID
		StartTime:          testStart,
		TraceID:            "4bf92f3577b34da6a3ce929d0e0e4736",
		SpanID:             "00f067aa0ba902b7",
		ParentSpanID:       "79849914be9bc1e8",
		TraceState:         "vendor=x",
		Name:               "Think.exec",
		Kind:               "Internal",
		ServiceName:        "demo-app",
		ResourceAttributes: map[string]string{"service.name": "demo-app", "agora.project": "demo-project", "agora.org.id": "org-1"},
		ScopeName:          "agora_tracer",
		ScopeVersion:       "1.2.3",
		Attributes: map[string]string{
			"agora.node": "Think", "retry_count": "1", "duration_ms": "70.5", "cached": "true", "tags": `["a"]`,
		},
		DurationNs:      uint64(70 * time.Millisecond),
		Status:          "Error",
		StatusMessage:   "boom",
		EventTimes:      []time.Time{testStart.Add(time.Millisecond)},
		EventNames:      []string{"exception"},
		EventAttributes: []map[string]string{{"exception.message": "boom"}},
		LinkTraceIDs:    []string{"4bf92f3577b34da6a3ce929d0e0e4736"},
		LinkSpanIDs:     []string{"79849914be9bc1e8"},
		LinkTraceStates: []string{""},
		LinkAttributes:  []map[string]string{{"why": "follows"}},
	}
}

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
