//go:build integration

package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/agora-otelcol/agora-otelcol/internal/agora"
	"github.com/agora-otelcol/agora-otelcol/internal/chtest"
)

// runNode is one node of the reference run both paths describe.
type runNode struct {
	name             string
	start            time.Duration // from the run's start
	prep, exec, post time.Duration
	retries          int64
	err              string
	llm              bool // makes one LLM call: 8 prompt + 9 completion tokens
}

func (n runNode) end() time.Duration { return n.start + n.prep + n.exec + n.post }

var (
	runStart = time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	runNodes = []runNode{
		{name: "Fetch", start: 0, prep: 5 * time.Millisecond, exec: 30 * time.Millisecond, post: 5 * time.Millisecond},
		{name: "Think", start: 50 * time.Millisecond, prep: 5 * time.Millisecond, exec: 70 * time.Millisecond, post: 5 * time.Millisecond, retries: 1, llm: true},
		{name: "Check", start: 150 * time.Millisecond, prep: 2 * time.Millisecond, exec: 10 * time.Millisecond, post: 3 * time.Millisecond},
		{name: "Answer", start: 200 * time.Millisecond, prep: 5 * time.Millisecond, exec: 20 * time.Millisecond, post: 5 * time.Millisecond, err: "boom"},
	}
)

func naive(d time.Duration) string { return runStart.Add(d).Format("2006-01-02T15:04:05.000000") }

func msOf(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func ptr[T any](v T) *T { return &v }

// sendAPIRun sends the run the way the Agora SDK does: start, one batch
// flush (node executions and the LLM exec span), complete.
func sendAPIRun(t *testing.T, c *collector, key string) string {
	code, resp := c.send(t, sdkRequest{Method: http.MethodPost, Path: "/telemetry/executions/start",
		Headers: map[string]string{"Content-Type": "application/json"}, Body: []byte(`{"workflow_name": "EqFlow", "project_name": "eq"}`)}, key, "")
	require.Equal(t, http.StatusOK, code, resp)
	exec := resp["execution_id"].(string)

	var nodes, spans []string
	for _, n := range runNodes {
		errMsg, status := "null", `"success"`
		if n.err != "" {
			errMsg, status = fmt.Sprintf("%q", n.err), `"error"`
		}
		nodes = append(nodes, fmt.Sprintf(`{"node_name": %q, "node_type": "TracedAsyncNode", "status": %s, "started_at": %q, "completed_at": %q, "prep_duration_ms": %v, "exec_duration_ms": %v, "post_duration_ms": %v, "error_message": %s, "retry_count": %d}`,
			n.name, status, naive(n.start), naive(n.end()), msOf(n.prep), msOf(n.exec), msOf(n.post), errMsg, n.retries))
		if n.llm {
			spans = append(spans, fmt.Sprintf(`{"span_id": "00f067aa0ba902b7", "trace_id": "4bf92f3577b34da6a3ce929d0e0e4736", "parent_span_id": null, "name": "%s.exec", "kind": "SpanKind.INTERNAL", "status": "OK", "start_time": %q, "end_time": %q, "attributes": {"agora.node": %q, "agora.phase": "exec", "retry_count": %d, "gen_ai.system": "openai", "gen_ai.request.model": "gpt-4o-mini", "gen_ai.usage.prompt_tokens": 8, "gen_ai.usage.completion_tokens": 9, "llm.usage.total_tokens": 17}, "events": []}`,
				n.name, naive(n.start+n.prep), naive(n.start+n.prep+n.exec), n.name, n.retries))
		}
	}
	body := fmt.Sprintf(`{"execution_id": %q, "workflow_name": "EqFlow", "project_name": "eq", "events": [], "spans": [%s], "node_executions": [%s]}`,
		exec, strings.Join(spans, ", "), strings.Join(nodes, ", "))
	code, resp = c.send(t, sdkRequest{Method: http.MethodPost, Path: "/telemetry/batch", Headers: map[string]string{"Content-Type": "application/json"}, Body: []byte(body)}, key, exec)
	require.Equal(t, http.StatusOK, code, resp)
	require.Equal(t, 4.0, resp["node_executions_ingested"])
	code, resp = c.send(t, sdkRequest{Method: http.MethodPost, Path: "/telemetry/executions/" + exec + "/complete",
		Headers: map[string]string{"Content-Type": "application/json"}, Body: []byte(`{"status": "error", "error_message": "node Answer failed"}`)}, key, exec)
	require.Equal(t, http.StatusOK, code, resp)
	return exec
}

// otlpRun is the run as agora_tracer spans: .flow, .node, .prep/.exec/.post
// and an OpenLLMetry LLM span under Think's exec.
func otlpRun(traceID pcommon.TraceID) ptrace.Traces {
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("service.name", "eq-app")
	rs.Resource().Attributes().PutStr("agora.project", "eq")
	spans := rs.ScopeSpans().AppendEmpty().Spans()
	next := byte(0)
	add := func(name string, parent pcommon.SpanID, start, end time.Duration) ptrace.Span {
		next++
		s := spans.AppendEmpty()
		s.SetTraceID(traceID)
		s.SetSpanID(pcommon.SpanID{0xa, next})
		s.SetParentSpanID(parent)
		s.SetName(name)
		s.SetKind(ptrace.SpanKindInternal)
		s.SetStartTimestamp(pcommon.NewTimestampFromTime(runStart.Add(start)))
		s.SetEndTimestamp(pcommon.NewTimestampFromTime(runStart.Add(end)))
		s.Status().SetCode(ptrace.StatusCodeOk)
		return s
	}
	last := runNodes[len(runNodes)-1].end()
	flow := add("EqFlow.flow", pcommon.SpanID{}, 0, last)
	flow.Attributes().PutStr("agora.flow", "EqFlow")
	flow.Attributes().PutDouble("total_duration_ms", msOf(last))
	flow.Status().SetCode(ptrace.StatusCodeError)
	flow.Status().SetMessage("node Answer failed")
	for _, n := range runNodes {
		nd := add(n.name+".node", flow.SpanID(), n.start, n.end())
		nd.Attributes().PutStr("agora.node", n.name)
		nd.Attributes().PutStr("agora.kind", "node")
		at := n.start
		for _, ph := range []struct {
			name string
			d    time.Duration
		}{{"prep", n.prep}, {"exec", n.exec}, {"post", n.post}} {
			p := add(n.name+"."+ph.name, nd.SpanID(), at, at+ph.d)
			p.Attributes().PutStr("agora.node", n.name)
			p.Attributes().PutStr("agora.phase", ph.name)
			p.Attributes().PutDouble("duration_ms", msOf(ph.d))
			switch ph.name {
			case "exec":
				p.Attributes().PutInt("retry_count", n.retries)
				if n.err != "" {
					p.Status().SetCode(ptrace.StatusCodeError)
					ev := p.Events().AppendEmpty()
					ev.SetName("exception")
					ev.Attributes().PutStr("exception.message", n.err)
				}
				if n.llm {
					llm := add("openai.chat", p.SpanID(), at+time.Millisecond, at+ph.d-time.Millisecond)
					llm.Attributes().PutStr("gen_ai.system", "openai")
					llm.Attributes().PutStr("gen_ai.request.model", "gpt-4o-mini")
					llm.Attributes().PutInt("gen_ai.usage.prompt_tokens", 8)
					llm.Attributes().PutInt("gen_ai.usage.completion_tokens", 9)
				}
			case "post":
				p.Attributes().PutStr("next_action", "default")
			}
			at += ph.d
		}
		if n.err != "" {
			nd.Status().SetCode(ptrace.StatusCodeError)
			nd.Status().SetMessage(n.err)
		}
	}
	return td
}

// storedRun reads an execution's stored record and node records, whole.
func storedRun(t *testing.T, db, org string, exec uuid.UUID) (agora.ExecutionRow, []agora.NodeExecutionRow) {
	t.Helper()
	conn := chtest.Conn(t)
	// The exporter inserts execution and node records separately: the node
	// rows may land just after the execution row a test waited for.
	var execs []agora.ExecutionRow
	var nodes []agora.NodeExecutionRow
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		execs = chtest.Rows[agora.ExecutionRow](t, conn, "SELECT * EXCEPT Version FROM `"+db+"`.executions FINAL WHERE OrgId = ? AND ExecutionId = ?", org, exec)
		require.Len(t, execs, 1)
		nodes = chtest.Rows[agora.NodeExecutionRow](t, conn, "SELECT * EXCEPT Version FROM `"+db+"`.node_executions FINAL WHERE OrgId = ? AND ExecutionId = ? ORDER BY StartedAt", org, exec)
		if len(nodes) >= int(execs[0].NodeCount) || time.Now().After(deadline) {
			return execs[0], nodes
		}
	}
}

// pathFree blanks what differs between two paths that describe one run:
// ids derived from the execution id, the receive times, where it came from.
func pathFree(e agora.ExecutionRow, nodes []agora.NodeExecutionRow) (agora.ExecutionRow, []agora.NodeExecutionRow) {
	e.ExecutionID, e.StartedAt, e.CompletedAt, e.DurationMs, e.LastSeen, e.Source, e.TraceIDs = uuid.Nil, time.Time{}, nil, nil, time.Time{}, "", nil
	out := make([]agora.NodeExecutionRow, len(nodes))
	for i, n := range nodes {
		n.ExecutionID, n.NodeExecutionID = uuid.Nil, uuid.Nil
		out[i] = n
	}
	return e, out
}

// TestEquivalenceJSONAndOTLP: one run through the JSON API as the SDK sends
// it, and once as agora_tracer spans, gives equal execution and node records.
func TestEquivalenceJSONAndOTLP(t *testing.T) {
	conn := chtest.Conn(t)
	db := chtest.NewDatabase(t, conn)
	c := startCollector(t, db)
	key, org := c.newKey(t, "acme", 0)

	apiExec := uuid.MustParse(sendAPIRun(t, c, key))
	traceID := pcommon.TraceID(uuid.New())
	require.NoError(t, exportGRPC(t, c, map[string]string{"x-api-key": key}, otlpRun(traceID)))
	otlpExec := uuid.UUID(traceID)

	waitForCount(t, "SELECT count() FROM `"+db+"`.executions FINAL WHERE Status = 'error' AND NodeCount = 4 AND TotalTokens = 17", 2)
	apiRec, apiNodes := storedRun(t, db, org.OrgID, apiExec)
	otlpRec, otlpNodes := storedRun(t, db, org.OrgID, otlpExec)

	projectID := agora.ProjectID(org.OrgID, "eq")
	workflowID := agora.WorkflowID(projectID, "EqFlow")
	api, apiN := pathFree(apiRec, apiNodes)
	otlp, otlpN := pathFree(otlpRec, otlpNodes)
	assert.Equal(t, agora.ExecutionRow{OrgID: org.OrgID, ProjectID: projectID, ProjectName: "eq", WorkflowID: workflowID, WorkflowName: "EqFlow",
		Status: "error", ErrorMessage: "node Answer failed", NodeCount: 4, ErrorCount: 1, RetryCount: 1,
		PromptTokens: 8, CompletionTokens: 9, TotalTokens: 17, Models: []string{"gpt-4o-mini"}}, api)
	assert.Equal(t, api, otlp, "the two paths give the same execution record")
	want := make([]agora.NodeExecutionRow, len(runNodes))
	for i, n := range runNodes {
		done := runStart.Add(n.end())
		want[i] = agora.NodeExecutionRow{OrgID: org.OrgID, ProjectID: projectID, ProjectName: "eq", WorkflowID: workflowID, WorkflowName: "EqFlow",
			NodeID: agora.NodeID(workflowID, n.name), NodeName: n.name, NodeType: "TracedAsyncNode", Status: "success",
			StartedAt: runStart.Add(n.start), CompletedAt: &done, PrepDurationMs: ptr(msOf(n.prep)), ExecDurationMs: ptr(msOf(n.exec)),
			PostDurationMs: ptr(msOf(n.post)), RetryCount: uint32(n.retries), ErrorMessage: n.err}
		if n.err != "" {
			want[i].Status = "error"
		}
		if n.llm {
			want[i].PromptTokens, want[i].CompletionTokens, want[i].TotalTokens = ptr(int64(8)), ptr(int64(9)), ptr(int64(17))
			want[i].Model, want[i].Provider = "gpt-4o-mini", "openai"
		}
	}
	// What only one vocabulary says: the API reports a node type, spans
	// the next action.
	for i := range otlpN {
		assert.Equal(t, "default", otlpN[i].NextAction)
		otlpN[i].NodeType, otlpN[i].NextAction = "TracedAsyncNode", ""
	}
	assert.Equal(t, want, apiN)
	assert.Equal(t, apiN, otlpN, "and the same node-execution records")
}

// TestRunningThenSuccess: the record is visible as running while the
// workflow runs and becomes success on completion.
func TestRunningThenSuccess(t *testing.T) {
	conn := chtest.Conn(t)
	db := chtest.NewDatabase(t, conn)
	c := startCollector(t, db)
	key, org := c.newKey(t, "acme", 0)
	start := sdkFlow(t)[0]
	code, resp := c.send(t, start, key, "")
	require.Equal(t, http.StatusOK, code)
	exec := resp["execution_id"].(string)
	waitForCount(t, "SELECT count() FROM `"+db+"`.executions FINAL WHERE ExecutionId = ? AND Status = 'running'", 1, exec)

	node := `{"execution_id": "` + exec + `", "workflow_name": "wf-demo1", "project_name": "proj-demo1", "events": [], "node_executions": [{"node_name": "A", "node_type": "T", "status": "success", "started_at": "2026-11-25T17:19:05", "retry_count": 2}]}`
	code, _ = c.send(t, sdkRequest{Method: http.MethodPost, Path: "/telemetry/batch", Headers: map[string]string{"Content-Type": "application/json"}, Body: []byte(node)}, key, exec)
	require.Equal(t, http.StatusOK, code)
	waitForCount(t, "SELECT count() FROM `"+db+"`.executions FINAL WHERE ExecutionId = ? AND Status = 'running' AND NodeCount = 1 AND RetryCount = 2", 1, exec)

	code, _ = c.send(t, sdkRequest{Method: http.MethodPost, Path: "/telemetry/executions/" + exec + "/complete", Headers: map[string]string{"Content-Type": "application/json"}, Body: []byte(`{"status": "success", "output_data": {"a": 1}}`)}, key, exec)
	require.Equal(t, http.StatusOK, code)
	waitForCount(t, "SELECT count() FROM `"+db+"`.executions FINAL WHERE OrgId = ? AND ExecutionId = ? AND Status = 'success' AND NodeCount = 1 AND CompletedAt IS NOT NULL", 1, org.OrgID, exec)
	var out string
	require.NoError(t, conn.QueryRow(context.Background(), "SELECT Output FROM `"+db+"`.executions FINAL WHERE ExecutionId = ?", exec).Scan(&out))
	var m map[string]any
	require.NoError(t, json.Unmarshal([]byte(out), &m))
	assert.Equal(t, map[string]any{"a": 1.0}, m)
}

// TestTimeout: an execution with no telemetry for the configured timeout
// shows as timeout.
func TestTimeout(t *testing.T) {
	conn := chtest.Conn(t)
	db := chtest.NewDatabase(t, conn)
	c := startCollectorWith(t, options{db: db, env: []string{"AGORA_EXECUTION_TIMEOUT=2s"}})
	key, _ := c.newKey(t, "acme", 0)
	code, resp := c.send(t, sdkFlow(t)[0], key, "")
	require.Equal(t, http.StatusOK, code)
	exec := resp["execution_id"].(string)
	waitForCount(t, "SELECT count() FROM `"+db+"`.executions FINAL WHERE ExecutionId = ? AND Status = 'running'", 1, exec)
	waitForCount(t, "SELECT count() FROM `"+db+"`.executions FINAL WHERE ExecutionId = ? AND Status = 'timeout'", 1, exec)
}

// TestRestartMidExecution: the collector restarts between a node report and
// the completion; the final record still counts the node.
func TestRestartMidExecution(t *testing.T) {
	conn := chtest.Conn(t)
	db := chtest.NewDatabase(t, conn)
	o := options{db: db, keysFile: filepath.Join(t.TempDir(), "keys.yaml"), dataDir: t.TempDir()}
	c := startCollectorWith(t, o)
	key, _ := c.newKey(t, "acme", 0)
	flow := sdkFlow(t)
	code, resp := c.send(t, flow[0], key, "")
	require.Equal(t, http.StatusOK, code)
	exec := resp["execution_id"].(string)
	code, _ = c.send(t, flow[1], key, exec) // the batch: 3 nodes, one failing, one retry
	require.Equal(t, http.StatusOK, code)
	waitForCount(t, "SELECT count() FROM `"+db+"`.executions FINAL WHERE ExecutionId = ? AND NodeCount = 3", 1, exec)
	c.stop(t)

	c = startCollectorWith(t, o)
	code, _ = c.send(t, flow[2], key, exec) // complete, after the restart
	require.Equal(t, http.StatusOK, code)
	waitForCount(t, "SELECT count() FROM `"+db+"`.executions FINAL WHERE ExecutionId = ? AND Status = 'error' "+
		"AND NodeCount = 3 AND ErrorCount = 1 AND RetryCount = 1 AND WorkflowName = 'wf-demo1' AND TotalTokens = 17", 1, exec)
}

// TestFlowNamingAPIExecutionKeepsItsSpans: agora_tracer with the JSON API
// (newer SDKs): the flow span names the API's execution in execution_id,
// and, as the root, arrives after its children, which were already stored
// and emitted under their trace. The detail page shows every span of the
// run, and the trace's own record is retracted.
func TestFlowNamingAPIExecutionKeepsItsSpans(t *testing.T) {
	conn := chtest.Conn(t)
	db := chtest.NewDatabase(t, conn)
	c := startCollector(t, db)
	key, org := c.newKey(t, "acme", 0)
	code, resp := c.send(t, sdkFlow(t)[0], key, "")
	require.Equal(t, http.StatusOK, code)
	exec := resp["execution_id"].(string)

	// the children, then (once they were emitted under the trace) the flow
	traceID := pcommon.TraceID(uuid.New())
	run := otlpRun(traceID)
	spans := run.ResourceSpans().At(0).ScopeSpans().At(0).Spans()
	flow := ptrace.NewTraces()
	run.ResourceSpans().At(0).Resource().CopyTo(flow.ResourceSpans().AppendEmpty().Resource())
	spans.At(0).CopyTo(flow.ResourceSpans().At(0).ScopeSpans().AppendEmpty().Spans().AppendEmpty())
	flow.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0).Attributes().PutStr("execution_id", exec)
	spans.RemoveIf(func(s ptrace.Span) bool { return s.ParentSpanID().IsEmpty() })
	require.NoError(t, exportGRPC(t, c, map[string]string{"x-api-key": key}, run))
	waitForCount(t, "SELECT count() FROM `"+db+"`.executions FINAL WHERE ExecutionId = ? AND NOT Deleted", 1, uuid.UUID(traceID))
	require.NoError(t, exportGRPC(t, c, map[string]string{"x-api-key": key}, flow))
	waitForCount(t, "SELECT count() FROM `"+db+"`.executions FINAL WHERE ExecutionId = ? AND NodeCount = 4 AND Source = 'api+otlp'", 1, exec)

	// every span of the run, the children included
	code, body := c.uiGet(t, key, "executions/"+exec+"/spans")
	require.Equal(t, http.StatusOK, code, body)
	assert.Len(t, body["spans"], spans.Len()+1)
	// one execution: the trace's record and nodes are retracted
	waitForCount(t, "SELECT count() FROM `"+db+"`.executions FINAL WHERE OrgId = ? AND NOT Deleted", 1, org.OrgID)
	waitForCount(t, "SELECT count() FROM `"+db+"`.node_executions FINAL WHERE ExecutionId = ? AND NOT Deleted", 0, uuid.UUID(traceID))
	code, _ = c.uiGet(t, key, "executions/"+uuid.UUID(traceID).String())
	assert.Equal(t, http.StatusNotFound, code)
	_, list := c.uiGet(t, key, "executions?from=2000-01-01T00:00:00Z")
	assert.Len(t, list["executions"], 1)
}
