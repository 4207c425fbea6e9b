//go:build integration

package e2e

import (
	"bytes"
	"net/http"
	"os"
	"sort"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/agora-otelcol/agora-otelcol/internal/agora"
	"github.com/agora-otelcol/agora-otelcol/internal/chtest"
)

// sendFixtures sends the captured SDK flow and the agora_tracer OTLP
// fixture with key and returns the SDK flow's execution id.
func (c *collector) sendFixtures(t *testing.T, key string) string {
	t.Helper()
	flow := sdkFlow(t)
	code, resp := c.send(t, flow[0], key, "")
	require.Equal(t, http.StatusOK, code, resp)
	exec := resp["execution_id"].(string)
	for _, r := range flow[1:] {
		code, resp = c.send(t, r, key, exec)
		require.Equal(t, http.StatusOK, code, resp)
	}
	body, err := os.ReadFile("testdata/tracer-execution.otlp.json")
	require.NoError(t, err)
	req, _ := http.NewRequest(http.MethodPost, "http://"+c.http+"/v1/traces", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-API-Key", key)
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	res.Body.Close()
	require.Equal(t, http.StatusOK, res.StatusCode)
	return exec
}

// fixtures are dated 2026-11-25: every window from the start of time.
const allTime = "from=2000-01-01T00:00:00Z"

// TestInsightsAPI: on the SDK flow and the OTLP fixture, sent by two orgs,
// the workflow graph (stats, transitions, the node filter), the LLM calls
// and the usage answer each org with its own runs only.
func TestInsightsAPI(t *testing.T) {
	conn := chtest.Conn(t)
	db := chtest.NewDatabase(t, conn)
	c := startCollector(t, db)
	keyA, orgA := c.newKey(t, "acme", 0)
	keyB, orgB := c.newKey(t, "globex", 0)
	sdkExecA := c.sendFixtures(t, keyA)
	c.sendFixtures(t, keyB)
	c.seedRun(t, keyB, "OnlyGlobex", "error", 2) // nothing of it shows for acme
	waitForCount(t, "SELECT count() FROM `"+db+"`.node_runs FINAL WHERE OrgId = ?", 6, orgA.OrgID)
	waitForCount(t, "SELECT count() FROM `"+db+"`.executions FINAL WHERE OrgId = ? AND Status != 'running'", 2, orgA.OrgID)

	// The tracer's workflow, derived from its runs: three nodes in a row.
	demoA := agora.WorkflowID(agora.ProjectID(orgA.OrgID, "demo-project"), "DemoFlow").String()
	code, resp := c.uiGet(t, keyA, "workflows/"+demoA+"/graph?"+allTime)
	require.Equal(t, http.StatusOK, code, resp)
	graph := resp["graph"].(map[string]any)
	nodes := map[string]map[string]any{}
	for _, n := range graph["nodes"].([]any) {
		n := n.(map[string]any)
		nodes[n["name"].(string)] = n
	}
	require.Len(t, nodes, 3)
	for _, name := range []string{"Fetch", "Think", "Answer"} {
		assert.Equal(t, 1.0, nodes[name]["runs"], name)
		assert.Equal(t, 0.0, nodes[name]["error_rate"], name)
		assert.Positive(t, nodes[name]["p50_ms"], name)
	}
	var edges []string
	for _, e := range graph["edges"].([]any) {
		e := e.(map[string]any)
		edges = append(edges, e["from"].(string)+">"+e["to"].(string)+":"+e["action"].(string)+":"+jsonNum(e["traffic"]))
	}
	sort.Strings(edges)
	assert.Equal(t, []string{"Fetch>Think:default:1", "Think>Answer:default:1"}, edges)

	// The SDK flow's workflow: Answer failed, Think retried.
	wfA := agora.WorkflowID(agora.ProjectID(orgA.OrgID, "proj-demo1"), "wf-demo1").String()
	code, resp = c.uiGet(t, keyA, "workflows/"+wfA+"/graph?"+allTime)
	require.Equal(t, http.StatusOK, code, resp)
	for _, n := range resp["graph"].(map[string]any)["nodes"].([]any) {
		n := n.(map[string]any)
		switch n["name"] {
		case "Answer-demo1":
			assert.Equal(t, 1.0, n["error_rate"])
		case "Think-demo1":
			assert.Equal(t, 1.0, n["retries"])
		}
	}
	// Click a node: the executions where it failed or retried.
	for node, want := range map[string]int{"Answer-demo1": 1, "Think-demo1": 1, "Fetch-demo1": 0} {
		code, resp = c.uiGet(t, keyA, "executions?workflow=wf-demo1&node="+node+"&"+allTime)
		require.Equal(t, http.StatusOK, code, resp)
		require.Len(t, resp["executions"], want, node)
		if want > 0 {
			assert.Equal(t, sdkExecA, resp["executions"].([]any)[0].(map[string]any)["execution_id"])
		}
	}

	// Another org's workflow id: not found, like an unknown one.
	code, _ = c.uiGet(t, keyB, "workflows/"+demoA+"/graph?"+allTime)
	assert.Equal(t, http.StatusNotFound, code)
	// globex's own workflow, and acme cannot see it.
	onlyB := agora.WorkflowID(agora.ProjectID(orgB.OrgID, "p"), "OnlyGlobex").String()
	code, resp = c.uiGet(t, keyB, "workflows/"+onlyB+"/graph?"+allTime)
	require.Equal(t, http.StatusOK, code, resp)
	assert.Len(t, resp["graph"].(map[string]any)["nodes"], 2)
	code, _ = c.uiGet(t, keyA, "workflows/"+onlyB+"/graph?"+allTime)
	assert.Equal(t, http.StatusNotFound, code)
	code, resp = c.uiGet(t, keyA, "executions?node=N1&"+allTime)
	require.Equal(t, http.StatusOK, code, resp)
	assert.Empty(t, resp["executions"], "globex's failed node does not filter acme's list")

	// LLM calls of the tracer's execution: one, with everything it said.
	code, resp = c.uiGet(t, keyA, "executions?workflow=DemoFlow&"+allTime)
	require.Equal(t, http.StatusOK, code, resp)
	demoExec := resp["executions"].([]any)[0].(map[string]any)["execution_id"].(string)
	code, resp = c.uiGet(t, keyA, "executions/"+demoExec+"/llm")
	require.Equal(t, http.StatusOK, code, resp)
	calls := resp["calls"].([]any)
	require.Len(t, calls, 1)
	call := calls[0].(map[string]any)
	assert.Equal(t, "openai.chat", call["name"])
	assert.Equal(t, "Think", call["step"])
	assert.Equal(t, "gpt-4o-mini", call["model"])
	assert.Equal(t, "openai", call["provider"])
	assert.Equal(t, []any{8.0, 9.0, 17.0}, []any{call["input_tokens"], call["output_tokens"], call["total_tokens"]})
	assert.Positive(t, call["latency_ms"])
	// The SDK's exec phase reported usage: a call of step Think-demo1.
	code, resp = c.uiGet(t, keyA, "executions/"+sdkExecA+"/llm")
	require.Equal(t, http.StatusOK, code, resp)
	require.Len(t, resp["calls"], 1)
	assert.Equal(t, "Think-demo1", resp["calls"].([]any)[0].(map[string]any)["step"])
	// Another org's execution: no calls.
	code, resp = c.uiGet(t, keyB, "executions/"+sdkExecA+"/llm")
	require.Equal(t, http.StatusOK, code, resp)
	assert.Empty(t, resp["calls"])

	// Usage: by model from the node executions, by workflow from the
	// executions, each org its own.
	for key, only := range map[string]string{keyA: "", keyB: "OnlyGlobex"} {
		code, resp = c.uiGet(t, key, "usage?"+allTime)
		require.Equal(t, http.StatusOK, code, resp)
		byModel := map[string]map[string]any{}
		for _, m := range resp["by_model"].([]any) {
			m := m.(map[string]any)
			byModel[m["model"].(string)] = m
		}
		require.Len(t, byModel, 2, "%v", byModel)
		assert.Equal(t, 17.0, byModel["gpt-4o-mini"]["total_tokens"])
		assert.Equal(t, "openai", byModel["gpt-4o-mini"]["provider"])
		assert.Equal(t, 17.0, byModel["unknown"]["total_tokens"])
		byWorkflow := map[string]float64{}
		for _, w := range resp["by_workflow"].([]any) {
			w := w.(map[string]any)
			byWorkflow[w["workflow_name"].(string)] = w["total_tokens"].(float64)
		}
		want := map[string]float64{"wf-demo1": 17, "DemoFlow": 17}
		if only != "" {
			want[only] = 0
		}
		assert.Equal(t, want, byWorkflow)
		// The SDK flow started today, the tracer's run is dated.
		total := 0.0
		for _, d := range resp["by_day"].([]any) {
			total += d.(map[string]any)["total_tokens"].(float64)
		}
		assert.Equal(t, 34.0, total)
		assert.Len(t, resp["by_day_model"], 2)
	}

	// Trends follow the status filter.
	code, resp = c.uiGet(t, keyA, "metrics?status=error&bucket=86400&"+allTime)
	require.Equal(t, http.StatusOK, code, resp)
	series := resp["series"].([]any)
	require.Len(t, series, 1)
	point := series[0].(map[string]any)
	assert.Equal(t, 1.0, point["executions"], "only the failed run")
	assert.Equal(t, 1.0, point["errors"])
	assert.Equal(t, 0.0, point["timeouts"])
	assert.Contains(t, point, "p50_ms")
}

func jsonNum(v any) string {
	f, _ := v.(float64)
	return string(rune('0' + int(f)))
}
