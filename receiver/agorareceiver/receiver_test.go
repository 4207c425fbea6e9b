package agorareceiver

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componentstatus"
	"go.opentelemetry.io/collector/config/configauth"
	"go.opentelemetry.io/collector/config/confighttp"
	"go.opentelemetry.io/collector/config/confignet"
	"go.opentelemetry.io/collector/config/configoptional"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/consumer/consumererror"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/extension"
	"go.opentelemetry.io/collector/extension/extensioncapabilities"
	"go.opentelemetry.io/collector/extension/extensiontest"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/receiver/receivertest"

	"github.com/agora-otelcol/agora-otelcol/extension/agorahealthextension"
	"github.com/agora-otelcol/agora-otelcol/extension/apikeyauthextension"
	"github.com/agora-otelcol/agora-otelcol/internal/agora"
	"github.com/agora-otelcol/agora-otelcol/internal/apikey"
	"github.com/agora-otelcol/agora-otelcol/internal/health"
	"github.com/agora-otelcol/agora-otelcol/internal/testutil"
	"github.com/agora-otelcol/agora-otelcol/receiver/agorareceiver/internal/metadata"
)

const testSecret = "test-secret-0123456789abcdefghijklmnop"

// server is a started receiver with sinks behind it and two orgs' keys.
type server struct {
	url          string
	traces       *consumertest.TracesSink
	logs         *consumertest.LogsSink
	keyA, keyB   string
	orgA, orgB   apikey.Key
	logsConsumer *switchableLogs
	health       extensioncapabilities.ComponentStatusWatcher
}

// switchableLogs lets a test make the pipeline refuse data.
type switchableLogs struct {
	*consumertest.LogsSink
	err error
}

func (s *switchableLogs) ConsumeLogs(ctx context.Context, ld plog.Logs) error {
	if s.err != nil {
		return s.err
	}
	return s.LogsSink.ConsumeLogs(ctx, ld)
}

func startServer(t testing.TB, mutate func(*Config)) *server {
	t.Helper()
	keys := filepath.Join(t.TempDir(), "keys.yaml")
	s := &server{traces: new(consumertest.TracesSink), logs: new(consumertest.LogsSink)}
	s.logsConsumer = &switchableLogs{LogsSink: s.logs}
	_, err := apikey.Update(keys, func(f *apikey.File) (err error) {
		if s.keyA, s.orgA, err = f.CreateKey("org-a", "k", nil, 0, time.Now()); err != nil {
			return err
		}
		s.keyB, s.orgB, err = f.CreateKey("org-b", "k", nil, 0, time.Now())
		return err
	})
	require.NoError(t, err)

	authFactory := apikeyauthextension.NewFactory()
	authCfg := authFactory.CreateDefaultConfig().(*apikeyauthextension.Config)
	authCfg.KeysFile = keys
	authID := component.MustNewID("apikeyauth")
	auth, err := authFactory.Create(context.Background(), extensiontest.NewNopSettings(authFactory.Type()), authCfg)
	require.NoError(t, err)
	healthExt, err := agorahealthextension.NewFactory().Create(context.Background(), extensiontest.NewNopSettings(component.MustNewType("agorahealth")),
		&agorahealthextension.Config{HTTP: confighttp.ServerConfig{NetAddr: confignet.AddrConfig{Endpoint: testutil.FreeAddr(t), Transport: confignet.TransportTypeTCP}}, Path: "/ready"})
	require.NoError(t, err)
	h := testutil.NewHost(map[component.ID]component.Component{authID: auth, component.MustNewID("agorahealth"): healthExt})
	s.health = healthExt.(extensioncapabilities.ComponentStatusWatcher)
	require.NoError(t, healthExt.Start(context.Background(), h))
	require.NoError(t, healthExt.(extensioncapabilities.PipelineWatcher).Ready())
	t.Cleanup(func() { require.NoError(t, healthExt.Shutdown(context.Background())) })
	require.NoError(t, auth.Start(context.Background(), h))
	t.Cleanup(func() { require.NoError(t, auth.Shutdown(context.Background())) })

	f := NewFactory()
	cfg := f.CreateDefaultConfig().(*Config)
	addr := testutil.FreeAddr(t)
	cfg.HTTP.NetAddr.Endpoint = addr
	cfg.HTTP.Auth = configoptional.Some(confighttpAuth(authID))
	cfg.ExecutionIDSecret = testSecret
	// The fixtures' dates are fixed; TestTimestampWindow tests the window.
	cfg.Timestamps = agora.TimeWindow{}
	if mutate != nil {
		mutate(cfg)
	}
	require.NoError(t, cfg.Validate())
	set := receivertest.NewNopSettings(metadata.Type)
	tr, err := f.CreateTraces(context.Background(), set, cfg, s.traces)
	require.NoError(t, err)
	lr, err := f.CreateLogs(context.Background(), set, cfg, s.logsConsumer)
	require.NoError(t, err)
	require.Same(t, tr, lr, "one receiver serves both pipelines")
	require.NoError(t, tr.Start(context.Background(), h))
	require.NoError(t, lr.Start(context.Background(), h))
	t.Cleanup(func() {
		require.NoError(t, tr.Shutdown(context.Background()))
		require.NoError(t, lr.Shutdown(context.Background()))
	})
	s.url = "http://" + addr
	return s
}

var _ extension.Extension = (extension.Extension)(nil)

// call POSTs body with key; it returns the status and the decoded answer.
func (s *server) call(t testing.TB, key, path, body string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, s.url+path, strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	if key != "" {
		req.Header.Set("X-API-Key", key)
	}
	return do(t, req)
}

func do(t testing.TB, req *http.Request) (int, map[string]any) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	assert.Equal(t, "application/json", resp.Header.Get("Content-Type"), "every answer is JSON: %s", b)
	var m map[string]any
	require.NoError(t, json.Unmarshal(b, &m), "body %q", b)
	return resp.StatusCode, m
}

func (s *server) startExecution(t testing.TB, key string) string {
	t.Helper()
	code, resp := s.call(t, key, "/telemetry/executions/start", `{"workflow_name": "wf", "project_name": "proj"}`)
	require.Equal(t, http.StatusOK, code, resp)
	return resp["execution_id"].(string)
}

// allLogs flattens the sink's log records.
func allLogs(sink *consumertest.LogsSink) []plog.LogRecord {
	var out []plog.LogRecord
	for _, ld := range sink.AllLogs() {
		for _, rl := range ld.ResourceLogs().All() {
			for _, sl := range rl.ScopeLogs().All() {
				for _, lr := range sl.LogRecords().All() {
					out = append(out, lr)
				}
			}
		}
	}
	return out
}

func allSpans(sink *consumertest.TracesSink) []ptrace.Span {
	var out []ptrace.Span
	for _, td := range sink.AllTraces() {
		for _, rs := range td.ResourceSpans().All() {
			for _, ss := range rs.ScopeSpans().All() {
				for _, sp := range ss.Spans().All() {
					out = append(out, sp)
				}
			}
		}
	}
	return out
}

func TestStartResponseAndRecord(t *testing.T) {
	s := startServer(t, nil)
	code, resp := s.call(t, s.keyA, "/telemetry/executions/start", `{"workflow_name": "wf-demo1", "project_name": "proj-demo1", "input_data": {"question": "what is 2+2?"}}`)
	require.Equal(t, http.StatusOK, code, resp)
	projectID := agora.ProjectID(s.orgA.OrgID, "proj-demo1")
	assert.Equal(t, projectID.String(), resp["project_id"])
	assert.Equal(t, agora.WorkflowID(projectID, "wf-demo1").String(), resp["workflow_id"])
	exec := uuid.MustParse(resp["execution_id"].(string))
	assert.WithinDuration(t, time.Now(), agora.StartTime(exec), 5*time.Second)

	records := allLogs(s.logs)
	require.Len(t, records, 1)
	lr := records[0]
	assert.Equal(t, agora.EventExecutionStarted, lr.EventName())
	assert.Equal(t, exec, uuid.UUID(lr.TraceID()), "the trace id is the execution id")
	in, _ := lr.Body().Map().Get("input_data")
	assert.Equal(t, map[string]any{"question": "what is 2+2?"}, in.Map().AsRaw())
	res := s.logs.AllLogs()[0].ResourceLogs().At(0).Resource().Attributes()
	org, _ := res.Get(agora.AttrOrgID)
	assert.Equal(t, s.orgA.OrgID, org.Str(), "the receiver stamps the key's org")

	// Default project.
	code, resp = s.call(t, s.keyA, "/telemetry/executions/start", `{"workflow_name": "wf"}`)
	require.Equal(t, http.StatusOK, code)
	assert.Equal(t, agora.ProjectID(s.orgA.OrgID, "Default Project").String(), resp["project_id"])
}

func TestSameNamesSameIDsAcrossReplicas(t *testing.T) {
	a, b := startServer(t, nil), startServer(t, nil)
	// Two receivers with the same secret: an execution started on one is
	// accepted on the other.
	exec := a.startExecution(t, a.keyA)
	code, resp := b.call(t, b.keyA, "/telemetry/executions/"+exec+"/complete", `{"status": "success"}`)
	// b's key store has different keys for "org-a" (another org id), so
	// ownership fails: the org, not the org's name, owns the execution.
	assert.Equal(t, http.StatusNotFound, code, resp)
}

func TestCrossOrgIsNotFound(t *testing.T) {
	s := startServer(t, nil)
	exec := s.startExecution(t, s.keyA)
	before := len(allLogs(s.logs))
	for path, body := range map[string]string{
		"/complete": `{"status": "success"}`,
		"/nodes":    `{"node_name": "n", "node_type": "t", "status": "success", "started_at": "2026-01-01T00:00:00"}`,
		"/spans":    `{"span_id": "00f067aa0ba902b7", "trace_id": "4bf92f3577b34da6a3ce929d0e0e4736", "name": "x", "start_time": "2026-01-01T00:00:00"}`,
		"/events":   `{"event_type": "e", "timestamp": "2026-01-01T00:00:00"}`,
	} {
		code, resp := s.call(t, s.keyB, "/telemetry/executions/"+exec+path, body)
		assert.Equal(t, http.StatusNotFound, code, path)
		assert.Equal(t, "execution not found", resp["detail"])
	}
	code, _ := s.call(t, s.keyB, "/telemetry/batch", `{"execution_id": "`+exec+`", "events": []}`)
	assert.Equal(t, http.StatusNotFound, code)
	// Unknown and malformed ids look the same as another org's.
	code, _ = s.call(t, s.keyA, "/telemetry/executions/"+uuid.NewString()+"/complete", `{"status": "success"}`)
	assert.Equal(t, http.StatusNotFound, code)
	code, _ = s.call(t, s.keyA, "/telemetry/executions/not-a-uuid/complete", `{"status": "success"}`)
	assert.Equal(t, http.StatusNotFound, code)
	assert.Len(t, allLogs(s.logs), before, "nothing stored for refused requests")
	assert.Empty(t, allSpans(s.traces))
}

func TestItemEndpoints(t *testing.T) {
	s := startServer(t, nil)
	exec := s.startExecution(t, s.keyA)
	execID := uuid.MustParse(exec)

	code, resp := s.call(t, s.keyA, "/telemetry/executions/"+exec+"/nodes",
		`{"node_name": "Think", "node_type": "TracedAsyncNode", "status": "error", "started_at": "2026-11-25T17:19:05.308537",
		  "completed_at": "2026-11-25T17:19:05.388537+00:00", "prep_duration_ms": 5, "exec_duration_ms": 70.5, "post_duration_ms": 5,
		  "error_message": "boom", "retry_count": 2}`)
	require.Equal(t, http.StatusOK, code, resp)
	nodeID := uuid.MustParse(resp["node_execution_id"].(string))

	code, resp = s.call(t, s.keyA, "/telemetry/executions/"+exec+"/spans",
		`{"span_id": "00f067aa0ba902b7", "trace_id": "4bf92f3577b34da6a3ce929d0e0e4736", "parent_span_id": null, "name": "Think.exec",
		  "kind": "SpanKind.INTERNAL", "status": "ERROR", "start_time": "2026-11-25T17:19:05.208537", "duration_ms": 70,
		  "attributes": {"agora.node": "Think", "retry_count": 1, "nested": {"a": [1, 2.5, "x"]}},
		  "events": [{"name": "retry", "timestamp": "2026-11-25T17:19:05.208537Z", "attributes": {"attempt": 1}}],
		  "tokens_used": 17, "estimated_cost": 0.0004}`)
	require.Equal(t, http.StatusOK, code, resp)
	assert.Equal(t, agora.ItemID(execID, "span", "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7").String(), resp["span_id"])

	code, resp = s.call(t, s.keyA, "/telemetry/executions/"+exec+"/events", `{"event_type": "node_start", "timestamp": "2026-11-25T17:19:05Z", "data": {"node": "Think"}}`)
	require.Equal(t, http.StatusOK, code, resp)
	assert.NotEmpty(t, resp["event_id"])

	code, resp = s.call(t, s.keyA, "/telemetry/executions/"+exec+"/complete", `{"status": "error", "output_data": {"answer": "4"}, "error_message": "node failed"}`)
	require.Equal(t, http.StatusOK, code, resp)
	assert.Equal(t, map[string]any{"success": true}, resp)

	// verify the records
	records := allLogs(s.logs)
	require.Len(t, records, 4)
	node, err := agora.DecodeNodeExecution(records[1])
	require.NoError(t, err)
	assert.Equal(t, nodeID, node.ID)
	assert.Equal(t, execID, node.ExecutionID)
	assert.Equal(t, agora.StatusError, node.Status)
	assert.Equal(t, time.Date(2026, 11, 25, 17, 19, 5, 308537000, time.UTC), node.StartedAt, "naive timestamps are UTC")
	assert.Equal(t, 70.5, *node.ExecDurationMs)
	assert.Equal(t, int64(2), node.RetryCount)
	assert.Equal(t, "boom", node.ErrorMessage)
	assert.Equal(t, agora.EventAgora, records[2].EventName())
	completion := records[3]
	assert.Equal(t, agora.EventExecutionCompleted, completion.EventName())
	dur, _ := completion.Body().Map().Get("duration_ms")
	assert.GreaterOrEqual(t, dur.Double(), 0.0)

	spans := allSpans(s.traces)
	require.Len(t, spans, 1)
	sp := spans[0]
	assert.Equal(t, "Think.exec", sp.Name())
	assert.Equal(t, ptrace.SpanKindInternal, sp.Kind())
	assert.Equal(t, ptrace.StatusCodeError, sp.Status().Code())
	assert.Equal(t, 70*time.Millisecond, sp.EndTimestamp().AsTime().Sub(sp.StartTimestamp().AsTime()), "end from duration_ms")
	assert.Equal(t, map[string]any{
		"agora.node": "Think", "retry_count": int64(1), "nested": map[string]any{"a": []any{int64(1), 2.5, "x"}},
		agora.AttrExecutionID: exec, "duration_ms": 70.0, agora.AttrTokensUsed: int64(17), agora.AttrEstimatedCost: 0.0004,
	}, sp.Attributes().AsRaw())
	require.Equal(t, 1, sp.Events().Len())
	assert.Equal(t, map[string]any{"attempt": int64(1)}, sp.Events().At(0).Attributes().AsRaw())
}

// The fixture's batch, as the Agora SDK's uploader sends it.
const fixtureBatch = `{"execution_id": "%s", "workflow_name": "wf-demo1", "project_name": "proj-demo1",
 "events": [{"event_type": "node_start", "timestamp": "2026-11-25T17:19:05.208537", "data": {"node": "Fetch-demo1"}}, {"event_type": "node_end", "timestamp": "2026-11-25T17:19:05.288537", "data": {"node": "Fetch-demo1"}}],
 "spans": [{"span_id": "00f067aa0ba902b7", "trace_id": "4bf92f3577b34da6a3ce929d0e0e4736", "parent_span_id": null, "name": "Think-demo1.exec", "kind": "SpanKind.INTERNAL", "status": "OK", "start_time": "2026-11-25T17:19:05.208537", "end_time": "2026-11-25T17:19:05.278537", "duration_ms": 70, "attributes": {"agora.node": "Think-demo1", "agora.phase": "exec", "retry_count": 1, "gen_ai.usage.prompt_tokens": 8, "gen_ai.usage.completion_tokens": 9, "llm.usage.total_tokens": 17}, "events": [{"name": "retry", "timestamp": "2026-11-25T17:19:05.208537", "attributes": {"attempt": 1}}]}],
 "node_executions": [{"node_name": "Fetch-demo1", "node_type": "TracedAsyncNode", "status": "success", "started_at": "2026-11-25T17:19:05.208537", "completed_at": "2026-11-25T17:19:05.288537", "prep_duration_ms": 5, "exec_duration_ms": 70, "post_duration_ms": 5, "error_message": null, "retry_count": 0}, {"node_name": "Think-demo1", "node_type": "TracedAsyncNode", "status": "success", "started_at": "2026-11-25T17:19:05.308537", "completed_at": "2026-11-25T17:19:05.388537", "prep_duration_ms": 5, "exec_duration_ms": 70, "post_duration_ms": 5, "error_message": null, "retry_count": 1}, {"node_name": "Answer-demo1", "node_type": "TracedAsyncNode", "status": "error", "started_at": "2026-11-25T17:19:05.408537", "completed_at": "2026-11-25T17:19:05.488537", "prep_duration_ms": 5, "exec_duration_ms": 70, "post_duration_ms": 5, "error_message": "boom-demo1", "retry_count": 0}]}`

func TestBatch(t *testing.T) {
	s := startServer(t, nil)
	exec := s.startExecution(t, s.keyA)
	code, resp := s.call(t, s.keyA, "/telemetry/batch", strings.Replace(fixtureBatch, "%s", exec, 1))
	require.Equal(t, http.StatusOK, code, resp)
	assert.Equal(t, exec, resp["execution_id"])
	assert.Equal(t, 2.0, resp["events_ingested"])
	assert.Equal(t, 1.0, resp["spans_ingested"])
	assert.Equal(t, 3.0, resp["node_executions_ingested"])
	assert.Equal(t, 0.0, resp["node_executions_rejected"])
	assert.Nil(t, resp["errors"])
	assert.Len(t, allLogs(s.logs), 1+2+3)
	assert.Len(t, allSpans(s.traces), 1)
}

func TestBatchKeepsGoodItemsAndReportsBadOnes(t *testing.T) {
	s := startServer(t, nil)
	exec := s.startExecution(t, s.keyA)
	body := `{"execution_id": "` + exec + `", "events": [{"event_type": "ok", "timestamp": "2026-11-25T17:19:05"}, {"event_type": 5, "timestamp": "2026-11-25T17:19:05"}],
	  "node_executions": [
	    {"node_name": "a", "node_type": "t", "status": "success", "started_at": "2026-11-25T17:19:05"},
	    {"node_name": "b", "node_type": "t", "status": "done", "started_at": "2026-11-25T17:19:05"},
	    {"node_name": "c", "node_type": "t", "status": "success", "started_at": "yesterday"},
	    {"node_name": "d", "node_type": "t", "status": "success", "started_at": "2026-11-25T17:19:05", "retry_count": -1},
	    "not an object"],
	  "spans": [{"span_id": "xyz", "trace_id": "4bf92f3577b34da6a3ce929d0e0e4736", "name": "s", "start_time": "2026-11-25T17:19:05"}]}`
	code, resp := s.call(t, s.keyA, "/telemetry/batch", body)
	require.Equal(t, http.StatusOK, code, resp)
	assert.Equal(t, 1.0, resp["events_ingested"])
	assert.Equal(t, 1.0, resp["events_rejected"])
	assert.Equal(t, 1.0, resp["node_executions_ingested"])
	assert.Equal(t, 4.0, resp["node_executions_rejected"])
	assert.Equal(t, 0.0, resp["spans_ingested"])
	assert.Equal(t, 1.0, resp["spans_rejected"])
	assert.ElementsMatch(t, []any{
		"events[1].event_type: must be a string",
		`node_executions[1].status: "done" is not one of running, success, error, skipped`,
		"node_executions[2].started_at: not a timestamp",
		"node_executions[3].retry_count: must be a whole number from 0 to 1000000",
		"node_executions[4]: must be a JSON object",
		"spans[0].span_id: must be 16 hex characters",
	}, resp["errors"])
	assert.Len(t, allLogs(s.logs), 1+1+1, "start + the good event + the good node")
}

func TestBatchAutoStartIsIdempotent(t *testing.T) {
	s := startServer(t, nil)
	body := `{"workflow_name": "wf", "project_name": "p", "events": [{"event_type": "e", "timestamp": "2026-11-25T17:19:05"}],
	  "node_executions": [{"node_name": "a", "node_type": "t", "status": "success", "started_at": "2026-11-25T17:19:04"}]}`
	code, first := s.call(t, s.keyA, "/telemetry/batch", body)
	require.Equal(t, http.StatusOK, code, first)
	code, second := s.call(t, s.keyA, "/telemetry/batch", body)
	require.Equal(t, http.StatusOK, code)
	assert.Equal(t, first["execution_id"], second["execution_id"], "a retried batch names the same execution")
	exec := uuid.MustParse(first["execution_id"].(string))
	assert.Equal(t, time.Date(2026, 11, 25, 17, 19, 4, 0, time.UTC), agora.StartTime(exec), "starts at its earliest item")

	records := allLogs(s.logs)
	require.Len(t, records, 6)
	ids := map[string]int{}
	for _, lr := range records {
		id, _ := lr.Attributes().Get(agora.AttrItemID)
		ids[lr.EventName()+id.Str()]++
	}
	for k, n := range ids {
		assert.Equal(t, 2, n, "every record of the retry has the same identity: %s", k)
	}
	// The auto-started execution belongs to org A only.
	code, _ = s.call(t, s.keyB, "/telemetry/executions/"+exec.String()+"/complete", `{"status": "success"}`)
	assert.Equal(t, http.StatusNotFound, code)
	code, _ = s.call(t, s.keyA, "/telemetry/executions/"+exec.String()+"/complete", `{"status": "success"}`)
	assert.Equal(t, http.StatusOK, code)
}

func TestValidationNamesTheField(t *testing.T) {
	s := startServer(t, nil)
	exec := s.startExecution(t, s.keyA)
	e := "/telemetry/executions/" + exec
	for _, tc := range []struct{ path, body, detail string }{
		{"/telemetry/executions/start", `{}`, "workflow_name: required"},
		{"/telemetry/executions/start", `{"workflow_name": 3}`, "workflow_name: must be a string"},
		{"/telemetry/executions/start", `{"workflow_name": "w", "input_data": [1]}`, "input_data: must be a JSON object"},
		{"/telemetry/executions/start", `{"workflow_name": "w"`, "body: not a JSON object: invalid JSON at byte 21"},
		{"/telemetry/executions/start", `[1,2]`, "body: not a JSON object: got array"},
		{e + "/complete", `{"status": "finished"}`, `status: "finished" is not one of running, success, error, timeout`},
		{e + "/complete", `{}`, "status: required"},
		{e + "/nodes", `{"node_name": "n", "node_type": "t", "status": "success", "started_at": "2026-13-45T00:00:00"}`, "started_at: not a timestamp"},
		{e + "/nodes", `{"node_name": "n", "node_type": "t", "status": "success", "started_at": "0001-01-01T00:00:00"}`, "started_at: timestamp out of range (1970-2199)"},
		{e + "/nodes", `{"node_name": "n", "node_type": "t", "status": "success", "started_at": "2026-01-01T00:00:00", "exec_duration_ms": "70"}`, "exec_duration_ms: must be milliseconds from 0 to 31622400000"},
		{e + "/nodes", `{"node_name": "n", "node_type": "t", "status": "success", "started_at": "2026-01-01T00:00:00", "exec_duration_ms": 1e300}`, "exec_duration_ms: must be milliseconds from 0 to 31622400000"},
		{e + "/nodes", `{"node_name": "n", "node_type": "t", "status": "success", "started_at": "2026-01-01T00:00:00", "prep_duration_ms": 1e999}`, "prep_duration_ms: must be milliseconds from 0 to 31622400000"},
		{e + "/nodes", `{"node_name": "n", "node_type": "t", "status": "success", "started_at": "2026-01-01T00:00:00", "retry_count": 1.5}`, "retry_count: must be a whole number from 0 to 1000000"},
		{e + "/nodes", `{"node_name": "n", "node_type": "t", "status": "success", "started_at": "2026-01-01T00:00:00", "total_tokens": 9223372036854775808}`, "total_tokens: must be a whole number from 0 to 1000000000000"},
		{e + "/nodes", `{"node_name": "n", "node_type": "t", "status": "success", "started_at": "2026-01-01T00:00:00", "prompt_tokens": -1}`, "prompt_tokens: must be a whole number from 0 to 1000000000000"},
		{e + "/nodes", `{"node_name": "n", "node_type": "t", "status": "success", "started_at": "2026-01-01T00:00:00", "estimated_cost": 1e308}`, "estimated_cost: must be a number from 0 to 1000000000"},
		{e + "/spans", `{"span_id": "00f067aa0ba902b7", "trace_id": "4bf92f3577b34da6a3ce929d0e0e4736", "name": "x", "start_time": "2026-01-01T00:00:00", "duration_ms": 1e300}`, "duration_ms: must be milliseconds from 0 to 31622400000"},
		{e + "/spans", `{"span_id": "00f067aa0ba902b7", "trace_id": "4bf92f3577b34da6a3ce929d0e0e4736", "name": "x", "start_time": "2026-01-01T00:00:00", "tokens_used": 18446744073709551616}`, "tokens_used: must be a whole number from 0 to 1000000000000"},
		{e + "/spans", `{"span_id": "00f067aa0ba902b7", "trace_id": "4bf9", "name": "x", "start_time": "2026-01-01T00:00:00"}`, "trace_id: must be 32 hex characters"},
		{e + "/spans", `{"span_id": "00f067aa0ba902b7", "trace_id": "4bf92f3577b34da6a3ce929d0e0e4736", "name": "x", "kind": "SpanKind.WEIRD", "start_time": "2026-01-01T00:00:00"}`, "kind: unknown span kind SpanKind.WEIRD"},
		{e + "/spans", `{"span_id": "00f067aa0ba902b7", "trace_id": "4bf92f3577b34da6a3ce929d0e0e4736", "name": "x", "start_time": "2026-01-01T00:00:00", "events": [{"timestamp": "x"}]}`, "events[0].name: required; events[0].timestamp: not a timestamp"},
		{e + "/events", `{"event_type": "e"}`, "timestamp: required"},
		{"/telemetry/batch", `{"events": []}`, "execution_id or workflow_name required"},
		{"/telemetry/batch", `{"workflow_name": "w"}`, "events: required"},
		{"/telemetry/batch", `{"workflow_name": "w", "events": {}}`, "events: must be a list"},
	} {
		code, resp := s.call(t, s.keyA, tc.path, tc.body)
		assert.Equal(t, http.StatusBadRequest, code, "%s %s", tc.path, tc.body)
		assert.Equal(t, tc.detail, resp["detail"], "%s %s", tc.path, tc.body)
	}
}

func TestHTTPEdges(t *testing.T) {
	s := startServer(t, func(c *Config) { c.HTTP.MaxRequestBodySize = 1024 })

	// health needs no key
	resp, err := http.Get(s.url + "/health")
	require.NoError(t, err)
	var health map[string]string
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&health))
	resp.Body.Close()
	assert.Equal(t, map[string]string{"status": "healthy"}, health)

	// auth
	code, body := s.call(t, "", "/telemetry/executions/start", `{"workflow_name": "w"}`)
	assert.Equal(t, http.StatusUnauthorized, code)
	assert.Contains(t, body["detail"], "missing API key")
	code, body = s.call(t, "agora_"+strings.Repeat("x", 40), "/telemetry/executions/start", `{"workflow_name": "w"}`)
	assert.Equal(t, http.StatusUnauthorized, code)
	assert.Equal(t, "unknown API key", body["detail"])

	// content type
	req, _ := http.NewRequest(http.MethodPost, s.url+"/telemetry/executions/start", strings.NewReader(`{"workflow_name": "w"}`))
	req.Header.Set("X-API-Key", s.keyA)
	req.Header.Set("Content-Type", "text/plain")
	code, body = do(t, req)
	assert.Equal(t, http.StatusUnsupportedMediaType, code)
	assert.Equal(t, "Content-Type must be application/json", body["detail"])

	// charset parameter is fine
	req, _ = http.NewRequest(http.MethodPost, s.url+"/telemetry/executions/start", strings.NewReader(`{"workflow_name": "w"}`))
	req.Header.Set("X-API-Key", s.keyA)
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	code, _ = do(t, req)
	assert.Equal(t, http.StatusOK, code)

	// size limit
	code, body = s.call(t, s.keyA, "/telemetry/executions/start", `{"workflow_name": "`+strings.Repeat("w", 2000)+`"}`)
	assert.Equal(t, http.StatusRequestEntityTooLarge, code)
	assert.Contains(t, body["detail"], "larger than 1024 bytes")

	// gzip
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	_, _ = zw.Write([]byte(`{"workflow_name": "zipped"}`))
	_ = zw.Close()
	req, _ = http.NewRequest(http.MethodPost, s.url+"/telemetry/executions/start", &gz)
	req.Header.Set("X-API-Key", s.keyA)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Content-Encoding", "gzip")
	code, body = do(t, req)
	assert.Equal(t, http.StatusOK, code, body)

	// method and path
	req, _ = http.NewRequest(http.MethodGet, s.url+"/telemetry/batch", nil)
	req.Header.Set("X-API-Key", s.keyA)
	code, _ = do(t, req)
	assert.Equal(t, http.StatusMethodNotAllowed, code)
	code, body = s.call(t, s.keyA, "/telemetry/nope", `{}`)
	assert.Equal(t, http.StatusNotFound, code)
	assert.Equal(t, "not found: /telemetry/nope", body["detail"])
}

func TestBackpressure(t *testing.T) {
	s := startServer(t, nil)
	s.logsConsumer.err = errors.New("sending queue is full")
	req, _ := http.NewRequest(http.MethodPost, s.url+"/telemetry/executions/start", strings.NewReader(`{"workflow_name": "w"}`))
	req.Header.Set("X-API-Key", s.keyA)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode, "never 200 for data not accepted")
	assert.Equal(t, "1", resp.Header.Get("Retry-After"))

	s.logsConsumer.err = consumererror.NewPermanent(errors.New("cannot store"))
	code, body := s.call(t, s.keyA, "/telemetry/executions/start", `{"workflow_name": "w"}`)
	assert.Equal(t, http.StatusBadRequest, code)
	assert.Contains(t, body["detail"], "cannot store")
}

func confighttpAuth(id component.ID) confighttp.AuthConfig {
	return confighttp.AuthConfig{Config: configauth.Config{AuthenticatorID: id}}
}

var _ consumer.Logs = (*switchableLogs)(nil)

// TestTimestampWindow: a time far from now is refused, naming its field;
// in a batch, only that item, the others kept.
func TestTimestampWindow(t *testing.T) {
	s := startServer(t, func(c *Config) { c.Timestamps = agora.TimeWindow{Past: 24 * time.Hour, Future: time.Hour} })
	exec := s.startExecution(t, s.keyA)
	now := time.Now().UTC()
	old, ahead := now.Add(-48*time.Hour).Format("2006-01-02T15:04:05"), now.Add(3*time.Hour).Format("2006-01-02T15:04:05")
	code, resp := s.call(t, s.keyA, "/telemetry/executions/"+exec+"/nodes",
		`{"node_name": "n", "node_type": "t", "status": "success", "started_at": "`+old+`"}`)
	assert.Equal(t, http.StatusBadRequest, code)
	assert.Equal(t, "started_at: more than 24h0m0s in the past", resp["detail"])

	before := len(allLogs(s.logs))
	body := `{"execution_id": "` + exec + `", "events": [
		{"event_type": "ok", "timestamp": "` + now.Format("2006-01-02T15:04:05") + `"},
		{"event_type": "late", "timestamp": "` + ahead + `"}]}`
	code, resp = s.call(t, s.keyA, "/telemetry/batch", body)
	require.Equal(t, http.StatusOK, code, resp)
	assert.Equal(t, 1.0, resp["events_ingested"])
	assert.Equal(t, 1.0, resp["events_rejected"])
	assert.Equal(t, []any{"events[1].timestamp: more than 1h0m0s in the future"}, resp["errors"])
	assert.Len(t, allLogs(s.logs), before+1, "the good item is kept")
}

// TestHealthSaysWhatIsDegraded: GET /health keeps the platform's answer
// while all is well, names what is degraded, and is 503 while the collector
// refuses data.
func TestHealthSaysWhatIsDegraded(t *testing.T) {
	s := startServer(t, nil)
	get := func() (int, map[string]any) {
		resp, err := http.Get(s.url + "/health")
		require.NoError(t, err)
		defer resp.Body.Close()
		var body map[string]any
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&body))
		return resp.StatusCode, body
	}
	code, body := get()
	assert.Equal(t, http.StatusOK, code)
	assert.Equal(t, map[string]any{"status": "healthy"}, body)

	exporter := componentstatus.NewInstanceID(component.MustNewID("agora_clickhouse"), component.KindExporter)
	s.health.Changed(exporter, componentstatus.NewRecoverableErrorEvent(errors.New("ClickHouse unreachable")))
	code, body = get()
	assert.Equal(t, http.StatusOK, code)
	assert.Equal(t, map[string]any{"status": "degraded", "degraded": map[string]any{"exporter/agora_clickhouse": "ClickHouse unreachable"}}, body)

	processor := componentstatus.NewInstanceID(component.MustNewID("execution"), component.KindProcessor)
	s.health.Changed(processor, componentstatus.NewRecoverableErrorEvent(fmt.Errorf("%w: queue full", health.ErrRefusing)))
	code, body = get()
	assert.Equal(t, http.StatusServiceUnavailable, code)
	assert.Equal(t, "unavailable", body["status"])
}
