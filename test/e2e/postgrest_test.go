//go:build integration

package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/agora-otelcol/agora-otelcol/internal/agora"
	"github.com/agora-otelcol/agora-otelcol/internal/apikey"
	"github.com/agora-otelcol/agora-otelcol/internal/chtest"
)

// TestPostgRESTSDKFlow drives the current Agora SDK's Supabase (PostgREST)
// upload sequence with supabase-js's PostgREST client (test/postgrest) — a
// 3-node flow with one retry and one error, an unknown column stripped and
// retried, another org's reads and writes refused — then asserts the
// records whole, the workflow graph through the query API, and that the
// same run through /telemetry gives equal execution and node records.
func TestPostgRESTSDKFlow(t *testing.T) {
	dir, _ := filepath.Abs("../postgrest")
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "@supabase", "postgrest-js")); err != nil {
		t.Fatalf("@supabase/postgrest-js not installed in %s: `make deps` installs it", dir)
	}
	conn := chtest.Conn(t)
	db := chtest.NewDatabase(t, conn)
	c := startCollector(t, db)
	key, k := c.newKey(t, "pg-org", 0, apikey.ScopeIngest, apikey.ScopeRead)
	other, _ := c.newKey(t, "pg-other", 0, apikey.ScopeIngest)
	started := time.Now().UTC().Add(-time.Minute).Truncate(time.Millisecond)
	outFile := filepath.Join(t.TempDir(), "ids.json")

	cmd := exec.Command("node", "--test", "--test-reporter=spec", "sdk.test.mjs")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "URL=http://"+c.api, "KEY="+key, "OTHER_KEY="+other, "STARTED="+started.Format(time.RFC3339Nano), "OUT="+outFile)
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "PostgREST client:\n%s", out)
	var ids struct {
		Workflow, Execution string
		Nodes               map[string]string
		ColumnsStripped     []string
	}
	b, err := os.ReadFile(outFile)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, &ids))
	assert.Equal(t, []string{"node_executions.sdk_version"}, ids.ColumnsStripped, "PGRST204 named the unknown column; the retry without it succeeded")

	exec := uuid.MustParse(ids.Execution)
	waitForCount(t, "SELECT count() FROM `"+db+"`.executions FINAL WHERE OrgId = ? AND ExecutionId = ? AND Status = 'error' AND NodeCount = 3", 1, k.OrgID, exec)
	row, nodes := storedRun(t, db, k.OrgID, exec)
	assert.Equal(t, "PgFlow", row.WorkflowName)
	assert.Equal(t, "pg-project", row.ProjectName)
	assert.Equal(t, uuid.MustParse(ids.Workflow), row.WorkflowID)
	assert.Equal(t, started, row.StartedAt.UTC(), "the SDK's start time")
	assert.Equal(t, "node Answer failed", row.ErrorMessage)
	assert.Equal(t, []any{uint32(1), uint32(1)}, []any{row.ErrorCount, row.RetryCount})
	assert.Equal(t, 200.0, *row.DurationMs)
	assert.JSONEq(t, `{"q":"2+2"}`, row.Input)
	require.Len(t, nodes, 3)
	byName := map[string]agora.NodeExecutionRow{}
	for _, n := range nodes {
		byName[n.NodeName] = n
		assert.Equal(t, uuid.MustParse(ids.Nodes[n.NodeName]), n.NodeID, "the node id the SDK got")
		assert.Equal(t, "TracedAsyncNode", n.NodeType)
	}
	assert.Equal(t, "error", byName["Answer"].Status)
	assert.Equal(t, "no answer", byName["Answer"].ErrorMessage)
	assert.Equal(t, uint32(1), byName["Act"].RetryCount)
	assert.Equal(t, 60.0, *byName["Think"].ExecDurationMs)
	waitForCount(t, "SELECT count() FROM `"+db+"`.spans FINAL WHERE OrgId = ? AND ExecutionId = ?", 3, k.OrgID, exec)
	var other0 uint64
	require.NoError(t, conn.QueryRow(t.Context(), "SELECT count() FROM `"+db+"`.executions FINAL WHERE ExecutionId = ? AND Status = 'success'", exec).Scan(&other0))
	assert.Zero(t, other0, "the other org's update changed nothing")

	// The graph, through the query API.
	waitForCount(t, "SELECT count() FROM `"+db+"`.workflow_edges FINAL WHERE OrgId = ?", 2, k.OrgID)
	code, graph := c.uiGet(t, key, "workflows/"+ids.Workflow+"/graph")
	require.Equal(t, http.StatusOK, code, "%v", graph)
	gnodes, gedges := graph["nodes"].([]any), graph["edges"].([]any)
	require.Len(t, gnodes, 3)
	require.Len(t, gedges, 2)
	for _, n := range gnodes {
		m := n.(map[string]any)
		assert.Contains(t, m["code"], "async def exec_async", m["name"])
		assert.Equal(t, "TracedAsyncNode", m["type"])
	}
	for _, e := range gedges {
		assert.Equal(t, "default", e.(map[string]any)["action"])
	}

	// The same run through /telemetry: equal records.
	telemetryExec := sendPGRunOverTelemetry(t, c, key, started)
	waitForCount(t, "SELECT count() FROM `"+db+"`.executions FINAL WHERE OrgId = ? AND ExecutionId = ? AND Status = 'error' AND NodeCount = 3", 1, k.OrgID, telemetryExec)
	tRow, tNodes := storedRun(t, db, k.OrgID, telemetryExec)
	pr, pn := pathFree(row, nodes)
	tr, tn := pathFree(tRow, tNodes)
	assert.Equal(t, tr, pr, "execution records equal across paths")
	assert.ElementsMatch(t, tn, pn, "node records equal across paths")
}

// sendPGRunOverTelemetry sends sdk.test.mjs's run the /telemetry way.
func sendPGRunOverTelemetry(t *testing.T, c *collector, key string, started time.Time) uuid.UUID {
	at := func(ms int) string {
		return started.Add(time.Duration(ms) * time.Millisecond).Format("2006-01-02T15:04:05.000000")
	}
	code, resp := c.send(t, sdkRequest{Method: http.MethodPost, Path: "/telemetry/executions/start", Headers: map[string]string{"Content-Type": "application/json"},
		Body: []byte(`{"workflow_name": "PgFlow", "project_name": "pg-project", "input_data": {"q": "2+2"}}`)}, key, "")
	require.Equal(t, http.StatusOK, code, resp)
	exec := resp["execution_id"].(string)
	type n struct {
		name                             string
		start, prep, exec, post, retries int
		tokens                           int
		cost                             float64
		err                              string
	}
	var nodes, spans []string
	for i, x := range []n{{"Think", 0, 5, 60, 5, 0, 17, 0.0012, ""}, {"Act", 80, 4, 30, 6, 1, 0, 0, ""}, {"Answer", 130, 3, 10, 0, 0, 0, 0, "no answer"}} {
		status, errMsg := "success", "null"
		if x.err != "" {
			status, errMsg = "error", fmt.Sprintf("%q", x.err)
		}
		nodes = append(nodes, fmt.Sprintf(`{"node_name": %q, "node_type": "TracedAsyncNode", "status": %q, "started_at": %q, "completed_at": %q, "prep_duration_ms": %d, "exec_duration_ms": %d, "post_duration_ms": %d, "error_message": %s, "retry_count": %d, "total_tokens": %d, "estimated_cost": %v}`,
			x.name, status, at(x.start), at(x.start+x.prep+x.exec+x.post), x.prep, x.exec, x.post, errMsg, x.retries, x.tokens, x.cost))
		spanStatus := map[bool]string{true: "ERROR", false: "OK"}[x.err != ""]
		spans = append(spans, fmt.Sprintf(`{"span_id": "00f067aa0ba902b%d", "trace_id": "4bf92f3577b34da6a3ce929d0e0e4736", "parent_span_id": null, "name": "%s.exec", "kind": "SpanKind.INTERNAL", "status": %q, "start_time": %q, "end_time": %q, "duration_ms": %d, "attributes": {"agora.node": %q}, "events": [], "tokens_used": %d, "estimated_cost": %v}`,
			i, x.name, spanStatus, at(x.start+x.prep), at(x.start+x.prep+x.exec), x.exec, x.name, x.tokens, x.cost))
	}
	body := fmt.Sprintf(`{"execution_id": %q, "workflow_name": "PgFlow", "project_name": "pg-project", "events": [], "spans": [%s], "node_executions": [%s]}`,
		exec, strings.Join(spans, ", "), strings.Join(nodes, ", "))
	code, resp = c.send(t, sdkRequest{Method: http.MethodPost, Path: "/telemetry/batch", Headers: map[string]string{"Content-Type": "application/json"}, Body: []byte(body)}, key, exec)
	require.Equal(t, http.StatusOK, code, resp)
	code, resp = c.send(t, sdkRequest{Method: http.MethodPost, Path: "/telemetry/executions/" + exec + "/complete", Headers: map[string]string{"Content-Type": "application/json"},
		Body: []byte(`{"status": "error", "output_data": {"answer": null}, "error_message": "node Answer failed"}`)}, key, exec)
	require.Equal(t, http.StatusOK, code, resp)
	return uuid.MustParse(exec)
}
