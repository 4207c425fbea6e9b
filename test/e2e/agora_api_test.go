//go:build integration

package e2e

import (
	"bufio"
	"bytes"
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

func at(s string) time.Time {
	t, err := time.Parse("2006-01-02T15:04:05.999999", s)
	if err != nil {
		panic(err)
	}
	return t.UTC()
}

func ms(f float64) *float64 { return &f }

func tokens(n int64) *int64 { return &n }

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
	nodes := chtest.Rows[agora.NodeExecutionRow](t, conn, "SELECT * EXCEPT Version FROM `"+db+"`.node_executions FINAL ORDER BY StartedAt")
	execUUID := uuid.MustParse(exec)
	workflowID := agora.WorkflowID(projectID, "wf-demo1")
	node := func(name, status string, started, completed string, retries uint32, errMsg string) agora.NodeExecutionRow {
		done := at(completed)
		return agora.NodeExecutionRow{OrgID: orgA.OrgID, ExecutionID: execUUID, NodeExecutionID: agora.NodeExecutionID(execUUID, name, at(started)),
			ProjectID: projectID, ProjectName: "proj-demo1", WorkflowID: workflowID, WorkflowName: "wf-demo1", NodeID: agora.NodeID(workflowID, name),
			NodeName: name, NodeType: "TracedAsyncNode", Status: status, StartedAt: at(started), CompletedAt: &done,
			PrepDurationMs: ms(5), ExecDurationMs: ms(70), PostDurationMs: ms(5), RetryCount: retries, ErrorMessage: errMsg}
	}
	think := node("Think-demo1", "success", "2026-11-25T17:19:05.308537", "2026-11-25T17:19:05.388537", 1, "")
	think.PromptTokens, think.CompletionTokens, think.TotalTokens = tokens(8), tokens(9), tokens(17) // the exec span's usage, by node name
	assert.Equal(t, []agora.NodeExecutionRow{
		node("Fetch-demo1", "success", "2026-11-25T17:19:05.208537", "2026-11-25T17:19:05.288537", 0, ""),
		think,
		node("Answer-demo1", "error", "2026-11-25T17:19:05.408537", "2026-11-25T17:19:05.488537", 0, "boom-demo1"),
	}, nodes)

	events := chtest.Rows[agora.EventRow](t, conn, "SELECT * FROM `"+db+"`.events FINAL WHERE OrgId = ? AND ExecutionId = ? ORDER BY Timestamp", orgA.OrgID, execUUID)
	require.Len(t, events, 2)
	event := func(typ, ts string, i int) agora.EventRow {
		return agora.EventRow{OrgID: orgA.OrgID, ExecutionID: execUUID, EventID: events[i].EventID, ProjectName: "proj-demo1", WorkflowName: "wf-demo1",
			EventType: typ, Timestamp: at(ts), Data: `{"node":"Fetch-demo1"}`}
	}
	assert.Equal(t, []agora.EventRow{event("node_start", "2026-11-25T17:19:05.208537", 0), event("node_end", "2026-11-25T17:19:05.288537", 1)}, events)

	spans := chtest.Rows[agora.SpanRow](t, conn, "SELECT * FROM `"+db+"`.spans FINAL")
	require.Len(t, spans, 1, "the retried flush's span is stored once")
	sp := spans[0]
	assert.Equal(t, orgA.OrgID, sp.OrgID)
	assert.Equal(t, execUUID, sp.ExecutionID)
	assert.Equal(t, "4bf92f3577b34da6a3ce929d0e0e4736", sp.TraceID)
	assert.Equal(t, "Think-demo1.exec", sp.Name)
	assert.Equal(t, "Internal", sp.Kind)
	assert.Equal(t, "Ok", sp.Status)
	assert.Equal(t, uint64(70*time.Millisecond), sp.DurationNs)
	assert.Equal(t, "8", sp.Attributes["gen_ai.usage.prompt_tokens"])
	assert.Equal(t, "17", sp.Attributes["llm.usage.total_tokens"])
	assert.Equal(t, "1", sp.Attributes["retry_count"])
	assert.Equal(t, []string{"retry"}, sp.EventNames)

	// The start and the completion are in logs; the SDK's node reports live
	// on in node_executions, whole, as the execution processor folded them.
	waitForCount(t, "SELECT count() FROM `"+db+"`.logs FINAL WHERE ExecutionId = ?", 2, exec)
	lifecycle := chtest.Rows[agora.LogRow](t, conn, "SELECT * FROM `"+db+"`.logs FINAL WHERE OrgId = ? AND ExecutionId = ? ORDER BY EventName DESC", orgA.OrgID, exec)
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
