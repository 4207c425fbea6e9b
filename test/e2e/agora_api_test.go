package e2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/agora-otelcol/agora-otelcol/internal/agora"
	"github.com/agora-otelcol/agora-otelcol/internal/chtest"
)

// sdkRequest is one line of testdata/sdk-flow.jsonl: a request captured from
// the Agora SDK's own HTTP client.
type sdkRequest struct {
	Method  string            `json:"method"`
	Path    string            `json:"path"`
	Headers map[string]string `json:"headers"`
	Body    json.RawMessage   `json:"body"`
}

const fixtureExecutionID = "bf59bb5a-4111-439d-aa04-b6b863de62d5"

func sdkFlow(t testing.TB) []sdkRequest {
	t.Helper()
	f, err := os.Open("testdata/sdk-flow.jsonl")
	require.NoError(t, err)
	defer f.Close()
	var out []sdkRequest
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var r sdkRequest
		require.NoError(t, json.Unmarshal(sc.Bytes(), &r))
		out = append(out, r)
	}
	require.Len(t, out, 3)
	return out
}

// send replays a captured request with the SDK's headers, a real key and
// the real execution id in place of the captured ones.
func (c *collector) send(t testing.TB, r sdkRequest, key, execID string) (int, map[string]any) {
	t.Helper()
	path := strings.ReplaceAll(r.Path, fixtureExecutionID, execID)
	body := bytes.ReplaceAll(r.Body, []byte(fixtureExecutionID), []byte(execID))
	req, err := http.NewRequest(r.Method, "http://"+c.api+path, bytes.NewReader(body))
	require.NoError(t, err)
	for k, v := range r.Headers {
		req.Header.Set(k, v)
	}
	req.Header.Set("X-API-Key", key)
	return do(t, req)
}

type storedNode struct {
	OrgID          string     `ch:"OrgId"`
	ExecutionID    uuid.UUID  `ch:"ExecutionId"`
	ProjectName    string     `ch:"ProjectName"`
	WorkflowName   string     `ch:"WorkflowName"`
	NodeName       string     `ch:"NodeName"`
	NodeType       string     `ch:"NodeType"`
	Status         string     `ch:"Status"`
	StartedAt      time.Time  `ch:"StartedAt"`
	CompletedAt    *time.Time `ch:"CompletedAt"`
	PrepDurationMs *float64   `ch:"PrepDurationMs"`
	ExecDurationMs *float64   `ch:"ExecDurationMs"`
	PostDurationMs *float64   `ch:"PostDurationMs"`
	RetryCount     uint32     `ch:"RetryCount"`
	ErrorMessage   string     `ch:"ErrorMessage"`
}

func at(s string) time.Time {
	t, err := time.Parse("2006-01-02T15:04:05.999999", s)
	if err != nil {
		panic(err)
	}
	return t.UTC()
}

func ms(f float64) *float64 { return &f }

// TestAgoraSDKFlow: the full flow an Agora SDK sends (start, batch flush,
// complete), its answers, and the stored rows; the retried flush stores once
// and another org gets 404 and stores nothing.
func TestAgoraSDKFlow(t *testing.T) {
	conn := chtest.Conn(t)
	db := chtest.NewDatabase(t, conn)
	c := startCollector(t, db)
	keyA, orgA := c.newKey(t, "acme", 0)
	keyB, orgB := c.newKey(t, "globex", 0)
	flow := sdkFlow(t)
	start, batch, complete := flow[0], flow[1], flow[2]

	// start
	code, resp := c.send(t, start, keyA, "")
	require.Equal(t, http.StatusOK, code, resp)
	exec := resp["execution_id"].(string)
	projectID := agora.ProjectID(orgA.OrgID, "proj-demo1")
	assert.Equal(t, map[string]any{
		"execution_id": exec, "project_id": projectID.String(), "workflow_id": agora.WorkflowID(projectID, "wf-demo1").String(),
	}, resp)

	// batch flush, then the uploader's retry of the same flush
	wantBatch := map[string]any{
		"execution_id": exec, "events_ingested": 2.0, "spans_ingested": 1.0, "node_executions_ingested": 3.0,
		"shared_state_snapshots_ingested": 0.0, "events_rejected": 0.0, "spans_rejected": 0.0,
		"node_executions_rejected": 0.0, "shared_state_snapshots_rejected": 0.0,
	}
	for range 2 {
		code, resp = c.send(t, batch, keyA, exec)
		require.Equal(t, http.StatusOK, code, resp)
		assert.Equal(t, wantBatch, resp)
	}

	// another org: 404, nothing stored
	code, resp = c.send(t, batch, keyB, exec)
	assert.Equal(t, http.StatusNotFound, code)
	assert.Equal(t, map[string]any{"detail": "execution not found"}, resp)
	code, _ = c.send(t, complete, keyB, exec)
	assert.Equal(t, http.StatusNotFound, code)

	// complete
	code, resp = c.send(t, complete, keyA, exec)
	require.Equal(t, http.StatusOK, code, resp)
	assert.Equal(t, map[string]any{"success": true}, resp)

	// stored rows
	waitForCount(t, "SELECT count() FROM `"+db+"`.node_executions FINAL", 3)
	var nodes []storedNode
	require.NoError(t, conn.Select(context.Background(), &nodes,
		"SELECT OrgId, ExecutionId, ProjectName, WorkflowName, NodeName, NodeType, Status, StartedAt, CompletedAt, "+
			"PrepDurationMs, ExecDurationMs, PostDurationMs, RetryCount, ErrorMessage FROM `"+db+"`.node_executions FINAL ORDER BY StartedAt"))
	for i := range nodes {
		nodes[i].StartedAt = nodes[i].StartedAt.UTC()
		*nodes[i].CompletedAt = nodes[i].CompletedAt.UTC()
	}
	execUUID := uuid.MustParse(exec)
	node := func(name, status string, started, completed string, retries uint32, errMsg string) storedNode {
		done := at(completed)
		return storedNode{OrgID: orgA.OrgID, ExecutionID: execUUID, ProjectName: "proj-demo1", WorkflowName: "wf-demo1",
			NodeName: name, NodeType: "TracedAsyncNode", Status: status, StartedAt: at(started), CompletedAt: &done,
			PrepDurationMs: ms(5), ExecDurationMs: ms(70), PostDurationMs: ms(5), RetryCount: retries, ErrorMessage: errMsg}
	}
	assert.Equal(t, []storedNode{
		node("Fetch-demo1", "success", "2026-11-25T17:19:05.208537", "2026-11-25T17:19:05.288537", 0, ""),
		node("Think-demo1", "success", "2026-11-25T17:19:05.308537", "2026-11-25T17:19:05.388537", 1, ""),
		node("Answer-demo1", "error", "2026-11-25T17:19:05.408537", "2026-11-25T17:19:05.488537", 0, "boom-demo1"),
	}, nodes)

	var events []struct {
		EventType string    `ch:"EventType"`
		Timestamp time.Time `ch:"Timestamp"`
		Data      string    `ch:"Data"`
	}
	require.NoError(t, conn.Select(context.Background(), &events,
		"SELECT EventType, Timestamp, Data FROM `"+db+"`.events FINAL WHERE OrgId = ? AND ExecutionId = ? ORDER BY Timestamp", orgA.OrgID, execUUID))
	require.Len(t, events, 2)
	assert.Equal(t, "node_start", events[0].EventType)
	assert.Equal(t, at("2026-11-25T17:19:05.208537"), events[0].Timestamp.UTC())
	assert.JSONEq(t, `{"node": "Fetch-demo1"}`, events[0].Data)
	assert.Equal(t, "node_end", events[1].EventType)

	var spans []struct {
		OrgID       string            `ch:"OrgId"`
		ExecutionID string            `ch:"ExecutionId"`
		TraceID     string            `ch:"TraceId"`
		SpanName    string            `ch:"SpanName"`
		SpanKind    string            `ch:"SpanKind"`
		StatusCode  string            `ch:"StatusCode"`
		Duration    uint64            `ch:"Duration"`
		Attrs       map[string]string `ch:"SpanAttributes"`
		EventNames  []string          `ch:"Events.Name"`
	}
	require.NoError(t, conn.Select(context.Background(), &spans,
		"SELECT OrgId, ExecutionId, TraceId, SpanName, SpanKind, StatusCode, Duration, SpanAttributes, Events.Name FROM `"+db+"`.spans FINAL"))
	require.Len(t, spans, 1, "the retried flush's span is stored once")
	sp := spans[0]
	assert.Equal(t, orgA.OrgID, sp.OrgID)
	assert.Equal(t, exec, sp.ExecutionID)
	assert.Equal(t, "4bf92f3577b34da6a3ce929d0e0e4736", sp.TraceID)
	assert.Equal(t, "Think-demo1.exec", sp.SpanName)
	assert.Equal(t, "Internal", sp.SpanKind)
	assert.Equal(t, "Ok", sp.StatusCode)
	assert.Equal(t, uint64(70*time.Millisecond), sp.Duration)
	assert.Equal(t, "8", sp.Attrs["gen_ai.usage.prompt_tokens"])
	assert.Equal(t, "17", sp.Attrs["llm.usage.total_tokens"])
	assert.Equal(t, "1", sp.Attrs["retry_count"])
	assert.Equal(t, []string{"retry"}, sp.EventNames)

	var lifecycle []struct {
		EventName string `ch:"EventName"`
		Body      string `ch:"Body"`
	}
	waitForCount(t, "SELECT count() FROM `"+db+"`.logs FINAL WHERE ExecutionId = ?", 2, exec)
	require.NoError(t, conn.Select(context.Background(), &lifecycle,
		"SELECT EventName, Body FROM `"+db+"`.logs FINAL WHERE OrgId = ? AND ExecutionId = ? ORDER BY EventName DESC", orgA.OrgID, exec))
	require.Len(t, lifecycle, 2)
	assert.Equal(t, agora.EventExecutionStarted, lifecycle[0].EventName)
	assert.Contains(t, lifecycle[0].Body, `"input_data":{"marker":"demo1","question":"what is 2+2?"}`)
	assert.Equal(t, agora.EventExecutionCompleted, lifecycle[1].EventName)
	var done map[string]any
	require.NoError(t, json.Unmarshal([]byte(lifecycle[1].Body), &done))
	assert.Equal(t, "error", done["status"])
	assert.Equal(t, "node Answer-demo1 failed", done["error_message"])
	assert.Equal(t, map[string]any{"answer": "4"}, done["output_data"])
	assert.GreaterOrEqual(t, done["duration_ms"], 0.0)

	for _, table := range []string{"spans", "node_executions", "events", "logs"} {
		waitForCount(t, "SELECT count() FROM `"+db+"`."+table+" WHERE OrgId = ?", 0, orgB.OrgID)
	}
}
