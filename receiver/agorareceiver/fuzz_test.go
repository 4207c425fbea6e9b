package agorareceiver

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/client"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/receiver/receivertest"

	"github.com/agora-otelcol/agora-otelcol/internal/agora"
	"github.com/agora-otelcol/agora-otelcol/receiver/agorareceiver/internal/metadata"
)

type fuzzAuth struct{}

func (fuzzAuth) GetAttribute(k string) any {
	return map[string]any{agora.AuthOrgID: "org-fuzz", agora.AuthOrgName: "fuzz"}[k]
}
func (fuzzAuth) GetAttributeNames() []string { return []string{agora.AuthOrgID, agora.AuthOrgName} }

// fuzzTarget drives the real handler (without the network) for one endpoint
// and checks what the API promises for any body: no panic, a JSON answer,
// and a 2xx or 4xx status.
func fuzzTarget(f *testing.F, endpoint string, seeds ...string) {
	cfg := createDefaultConfig().(*Config)
	cfg.ExecutionIDSecret = testSecret
	r, err := newReceiver(cfg, receivertest.NewNopSettings(metadata.Type))
	if err != nil {
		f.Fatal(err)
	}
	r.traces, r.logs = consumertest.NewNop(), consumertest.NewNop()
	exec := r.ids.New("org-fuzz", time.Now(), nil).String()
	path := strings.ReplaceAll(endpoint, "{id}", exec)
	ctx := client.NewContext(context.Background(), client.Info{Auth: fuzzAuth{}})
	for _, s := range seeds {
		f.Add([]byte(strings.ReplaceAll(s, "{id}", exec)))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		req := httptest.NewRequestWithContext(ctx, http.MethodPost, path, strings.NewReader(string(body)))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		r.route(rec, req)
		if rec.Code >= 500 || rec.Code < 200 {
			t.Fatalf("status %d for %q: %s", rec.Code, body, rec.Body.String())
		}
		if rec.Body.Len() == 0 && (rec.Code == http.StatusCreated || rec.Code == http.StatusNoContent) {
			return // PostgREST's return=minimal
		}
		var answer any
		if err := json.Unmarshal(rec.Body.Bytes(), &answer); err != nil {
			t.Fatalf("answer is not JSON: %q", rec.Body.String())
		}
	})
}

func FuzzStart(f *testing.F) {
	fuzzTarget(f, "/telemetry/executions/start",
		`{"workflow_name": "wf", "project_name": "p", "input_data": {"q": [1, 2.5, null, {"x": true}]}}`,
		`{"workflow_name": ""}`, `null`, `{"input_data": 1e999}`, `{"workflow_name": "w", "input_data": {"a": {"b": {"c": {}}}}}`)
}

func FuzzComplete(f *testing.F) {
	fuzzTarget(f, "/telemetry/executions/{id}/complete",
		`{"status": "success", "output_data": {"a": 1}, "error_message": null}`, `{"status": "SUCCESS"}`, `{"status": 1}`)
}

func FuzzNodes(f *testing.F) {
	fuzzTarget(f, "/telemetry/executions/{id}/nodes",
		`{"node_name": "n", "node_type": "t", "status": "error", "started_at": "2026-11-25T17:19:05.308537", "completed_at": "2026-11-25T17:19:05+01:00", "prep_duration_ms": 5, "exec_duration_ms": 70.5, "retry_count": 2, "error_message": "boom", "input_data": [1], "total_tokens": 17, "estimated_cost": 0.1}`,
		`{"node_name": "n", "node_type": "t", "status": "success", "started_at": "2026-11-25 17:19:05", "retry_count": 1e30}`,
		`{"node_name": "n", "node_type": "t", "status": "success", "started_at": "9999-12-31T23:59:59", "exec_duration_ms": -0}`)
}

func FuzzSpans(f *testing.F) {
	fuzzTarget(f, "/telemetry/executions/{id}/spans",
		`{"span_id": "00f067aa0ba902b7", "trace_id": "4bf92f3577b34da6a3ce929d0e0e4736", "parent_span_id": "79849914be9bc1e8", "name": "x", "kind": "SpanKind.INTERNAL", "status": "OK", "start_time": "2026-11-25T17:19:05.208537", "end_time": "2026-11-25T17:19:05.278537", "attributes": {"a": {"b": [1]}}, "events": [{"name": "e", "timestamp": "2026-11-25T17:19:05", "attributes": {"k": 1}}], "tokens_used": 3, "estimated_cost": 0.5}`,
		`{"span_id": "0000000000000000", "trace_id": "00000000000000000000000000000000", "name": "x", "start_time": "2026-01-01T00:00:00", "duration_ms": 1e300}`,
		`{"span_id": "00f067aa0ba902b7", "trace_id": "4bf92f3577b34da6a3ce929d0e0e4736", "name": "x", "start_time": "2026-01-01T00:00:00", "events": [1, null, {}]}`)
}

func FuzzEvents(f *testing.F) {
	fuzzTarget(f, "/telemetry/executions/{id}/events",
		`{"event_type": "node_start", "timestamp": "2026-11-25T17:19:05.208537", "data": {"node": "n"}}`, `{"event_type": "e", "timestamp": "2026-11-25T17:19:05Z", "data": []}`)
}

func FuzzBatch(f *testing.F) {
	fuzzTarget(f, "/telemetry/batch",
		strings.Replace(fixtureBatch, "%s", "{id}", 1),
		`{"workflow_name": "w", "events": [{"event_type": "e", "timestamp": "2026-11-25T17:19:05"}], "shared_state_snapshots": [{"timestamp": "2026-11-25T17:19:05", "state": {"k": 1}}, 7]}`,
		`{"execution_id": "not-a-uuid", "events": []}`, `{"execution_id": "{id}", "events": [{}], "spans": [{}], "node_executions": [{}]}`)
}

func FuzzPostgRESTNodeExecutions(f *testing.F) {
	fuzzTarget(f, "/rest/v1/node_executions",
		`{"execution_id": "{id}", "node_id": "6f1f7b3e-7c39-4c9e-a7a2-2f6f0e9d1c11", "status": "success", "started_at": "2026-11-26T10:00:00", "tokens_used": 12, "retry_count": 1}`,
		`[{"execution_id": "{id}", "node_id": "6f1f7b3e-7c39-4c9e-a7a2-2f6f0e9d1c11", "status": "error", "started_at": "2026-11-26T10:00:00", "estimated_cost": 1e308}]`,
		`{"execution_id": "{id}", "unknown": 1}`)
}

func FuzzPostgRESTSpans(f *testing.F) {
	fuzzTarget(f, "/rest/v1/telemetry_spans",
		`[{"execution_id": "{id}", "span_id": "00f067aa0ba902b7", "trace_id": "4bf92f3577b34da6a3ce929d0e0e4736", "name": "x", "start_time": "2026-11-26T10:00:00", "attributes": {"a": 1}}]`,
		`{"execution_id": "{id}", "span_id": "zz"}`)
}
