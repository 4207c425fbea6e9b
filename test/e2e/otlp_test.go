//go:build integration

package e2e

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/agora-otelcol/agora-otelcol/internal/agora"
	"github.com/agora-otelcol/agora-otelcol/internal/chtest"
)

// sendWorkflow emits a flow span with one failing node child through exp and
// returns the span contexts and the times it set.
func sendWorkflow(t testing.TB, exp sdktrace.SpanExporter) (root, child trace.SpanContext, start time.Time) {
	t.Helper()
	res, err := resource.New(context.Background(), resource.WithAttributes(
		attribute.String("service.name", "e2e-app"), attribute.String("agora.project", "e2e-project")))
	require.NoError(t, err)
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp), sdktrace.WithResource(res))
	tracer := tp.Tracer("agora_tracer")

	start = time.Date(2026, 11, 25, 10, 0, 0, 123456789, time.UTC)
	ctx, flow := tracer.Start(context.Background(), "Demo.flow", trace.WithTimestamp(start),
		trace.WithAttributes(attribute.String("agora.flow", "Demo")))
	_, node := tracer.Start(ctx, "Fetch.node", trace.WithTimestamp(start.Add(time.Millisecond)),
		trace.WithAttributes(attribute.String("agora.node", "Fetch"), attribute.Int("retry_count", 2), attribute.Float64("total_duration_ms", 110.5)))
	node.AddEvent("exception", trace.WithTimestamp(start.Add(50*time.Millisecond)),
		trace.WithAttributes(attribute.String("exception.message", "upstream 503")))
	node.SetStatus(codes.Error, "upstream 503")
	node.End(trace.WithTimestamp(start.Add(111 * time.Millisecond)))
	flow.End(trace.WithTimestamp(start.Add(400 * time.Millisecond)))
	require.NoError(t, tp.Shutdown(context.Background()))
	return flow.SpanContext(), node.SpanContext(), start
}

// sdkExporters build the Go SDK's OTLP exporters for a collector, with
// request headers (the API key). Retries are off: a refusal shows at once.
var sdkExporters = map[string]func(c *collector, headers map[string]string) (sdktrace.SpanExporter, error){
	"grpc": func(c *collector, headers map[string]string) (sdktrace.SpanExporter, error) {
		return otlptracegrpc.New(context.Background(), otlptracegrpc.WithEndpoint(c.grpc), otlptracegrpc.WithInsecure(),
			otlptracegrpc.WithHeaders(headers), otlptracegrpc.WithRetry(otlptracegrpc.RetryConfig{Enabled: false}))
	},
	"http": func(c *collector, headers map[string]string) (sdktrace.SpanExporter, error) {
		return otlptracehttp.New(context.Background(), otlptracehttp.WithEndpoint(c.http), otlptracehttp.WithInsecure(),
			otlptracehttp.WithHeaders(headers), otlptracehttp.WithRetry(otlptracehttp.RetryConfig{Enabled: false}))
	},
}

func TestOTLPSpansStored(t *testing.T) {
	conn := chtest.Conn(t)
	for name, newExporter := range sdkExporters {
		t.Run(name, func(t *testing.T) {
			db := chtest.NewDatabase(t, conn)
			c := startCollector(t, db)
			key, keyRecord := c.newKey(t, "acme", 0)
			exp, err := newExporter(c, map[string]string{"X-API-Key": key})
			require.NoError(t, err)

			root, child, start := sendWorkflow(t, exp)
			waitForCount(t, "SELECT count() FROM `"+db+"`.spans", 2)

			rows := chtest.Rows[agora.SpanRow](t, conn, "SELECT * EXCEPT (ScopeVersion) FROM `"+db+"`.spans ORDER BY Timestamp")
			require.Len(t, rows, 2)
			for i := range rows {
				// The SDK adds its own telemetry.sdk.* resource attributes.
				assert.Equal(t, "e2e-app", rows[i].ResourceAttributes["service.name"])
				assert.Equal(t, "e2e-project", rows[i].ResourceAttributes["agora.project"])
				// The org is the OrgId column's (asserted below), not stored twice.
				assert.NotContains(t, rows[i].ResourceAttributes, "agora.org.id")
				assert.NotContains(t, rows[i].ResourceAttributes, "agora.org.name")
				rows[i].ResourceAttributes = nil
			}
			execID := uuid.UUID(root.TraceID())
			none := func(r *agora.SpanRow) {
				r.LinkTraceIDs, r.LinkSpanIDs, r.LinkTraceStates, r.LinkAttributes = []string{}, []string{}, []string{}, []map[string]string{}
			}
			flow := agora.SpanRow{
				OrgID: keyRecord.OrgID, ExecutionID: execID,
				TraceID: root.TraceID().String(), SpanID: root.SpanID().String(), ParentSpanID: "",
				Name: "Demo.flow", Kind: "Internal", ServiceName: "e2e-app", ScopeName: "agora_tracer",
				Attributes: map[string]string{"agora.flow": "Demo"},
				Status:     "Unset", StartTime: start, DurationNs: uint64(400 * time.Millisecond),
				EventNames: []string{}, EventTimes: []time.Time{}, EventAttributes: []map[string]string{},
			}
			none(&flow)
			assert.Equal(t, flow, rows[0])
			node := agora.SpanRow{
				OrgID: keyRecord.OrgID, ExecutionID: execID,
				TraceID: root.TraceID().String(), SpanID: child.SpanID().String(), ParentSpanID: root.SpanID().String(),
				Name: "Fetch.node", Kind: "Internal", ServiceName: "e2e-app", ScopeName: "agora_tracer",
				Attributes: map[string]string{"agora.node": "Fetch", "retry_count": "2", "total_duration_ms": "110.5"},
				Status:     "Error", StatusMessage: "upstream 503",
				StartTime: start.Add(time.Millisecond), DurationNs: uint64(110 * time.Millisecond),
				EventNames:      []string{"exception"},
				EventTimes:      []time.Time{start.Add(50 * time.Millisecond)},
				EventAttributes: []map[string]string{{"exception.message": "upstream 503"}},
			}
			none(&node)
			assert.Equal(t, node, rows[1])
		})
	}
}

// TestOTLPJSONFixture posts agora_tracer's OTLP/JSON as curl would.
func TestOTLPJSONFixture(t *testing.T) {
	conn := chtest.Conn(t)
	db := chtest.NewDatabase(t, conn)
	c := startCollector(t, db)
	key, _ := c.newKey(t, "acme", 0)
	body, err := os.ReadFile("testdata/tracer-execution.otlp.json")
	require.NoError(t, err)

	req, err := http.NewRequest(http.MethodPost, "http://"+c.http+"/v1/traces", bytes.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+key)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)

	waitForCount(t, "SELECT count() FROM `"+db+"`.spans WHERE TraceId = ?", 14, "3d337f69eff943387b62ebba62f20a9c")
	var tokens string
	require.NoError(t, conn.QueryRow(context.Background(),
		"SELECT SpanAttributes['gen_ai.usage.prompt_tokens'] FROM `"+db+"`.spans WHERE SpanAttributes['gen_ai.system'] != ''").Scan(&tokens))
	assert.Equal(t, "8", tokens)
}

// TestRestartAgainstExistingDatabase: schema creation is idempotent, and the
// second process appends to what the first stored.
func TestRestartAgainstExistingDatabase(t *testing.T) {
	conn := chtest.Conn(t)
	db := chtest.NewDatabase(t, conn)
	keysFile := filepath.Join(t.TempDir(), "keys.yaml")
	for i := range 2 {
		c := startCollectorWithKeys(t, db, keysFile)
		key, _ := c.newKey(t, "acme", 0)
		exp, err := sdkExporters["grpc"](c, map[string]string{"x-api-key": key})
		require.NoError(t, err)
		sendWorkflow(t, exp)
		c.stop(t)
		// SIGTERM drains the queue: the rows are there once the process is gone.
		waitForCount(t, "SELECT count() FROM `"+db+"`.spans", uint64(2*(i+1)))
	}
}
