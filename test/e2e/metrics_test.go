//go:build integration

package e2e

import (
	"bufio"
	"bytes"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/agora-otelcol/agora-otelcol/internal/agora"
	"github.com/agora-otelcol/agora-otelcol/internal/chtest"
)

// sample is one line of the Prometheus text format.
type sample struct {
	name   string
	labels map[string]string
	value  float64
}

// scrape reads a Prometheus endpoint's samples.
func scrape(t testing.TB, addr string) []sample {
	t.Helper()
	resp, err := http.Get("http://" + addr + "/metrics")
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	var out []sample
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		v, err := strconv.ParseFloat(line[i+1:], 64)
		require.NoError(t, err, line)
		s := sample{name: line[:i], labels: map[string]string{}, value: v}
		if j := strings.IndexByte(line[:i], '{'); j >= 0 {
			s.name = line[:j]
			// Values here never hold `",`: split on it.
			for _, kv := range strings.Split(strings.TrimSuffix(line[j+1:i], "}"), `",`) {
				k, v, _ := strings.Cut(kv, `="`)
				s.labels[k] = strings.TrimSuffix(v, `"`)
			}
		}
		out = append(out, s)
	}
	require.NoError(t, sc.Err())
	return out
}

// find is the one sample of name whose labels include want (-1 if none).
func find(t testing.TB, samples []sample, name string, want map[string]string) float64 {
	t.Helper()
	found := -1.0
	n := 0
	for _, s := range samples {
		if s.name != name {
			continue
		}
		match := true
		for k, v := range want {
			match = match && s.labels[k] == v
		}
		if match {
			found, n = s.value, n+1
		}
	}
	require.LessOrEqual(t, n, 1, "%s %v: more than one series", name, want)
	return found
}

func labels(org, project, workflow string, kv ...string) map[string]string {
	m := map[string]string{"agora_org_id": org, "agora_project_name": project, "agora_workflow_name": workflow}
	for i := 0; i < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return m
}

// TestWorkflowMetricsForPrometheus: after the captured SDK flow (one org)
// and the agora_tracer OTLP fixture (another), the shipped config's
// Prometheus endpoint shows each org's executions, durations, retries and
// tokens by model, equal to the records stored, and no series of one org
// carries the other's workflows.
func TestWorkflowMetricsForPrometheus(t *testing.T) {
	conn := chtest.Conn(t)
	db := chtest.NewDatabase(t, conn)
	c := startCollectorWith(t, options{db: db, env: []string{"AGORA_METRICS_INTERVAL=200ms"},
		// A price for the tracer's model: cost by model too.
		args: []string{"--config=yaml:processors::execution::prices: [{model: gpt-4o-mini*, prompt_per_million: 150000, completion_per_million: 600000}]"}})
	keyA, orgA := c.newKey(t, "acme", 0)
	keyB, orgB := c.newKey(t, "globex", 0)

	flow := sdkFlow(t)
	code, resp := c.send(t, flow[0], keyA, "")
	require.Equal(t, http.StatusOK, code, resp)
	exec := resp["execution_id"].(string)
	for _, r := range flow[1:] {
		code, resp = c.send(t, r, keyA, exec)
		require.Equal(t, http.StatusOK, code, resp)
	}
	body, err := os.ReadFile("testdata/tracer-execution.otlp.json")
	require.NoError(t, err)
	req, _ := http.NewRequest(http.MethodPost, "http://"+c.http+"/v1/traces", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-API-Key", keyB)
	r, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	r.Body.Close()
	require.Equal(t, http.StatusOK, r.StatusCode)
	waitForCount(t, "SELECT count() FROM `"+db+"`.executions FINAL WHERE Status != 'running'", 2)

	a := labels(orgA.OrgID, "proj-demo1", "wf-demo1")
	b := labels(orgB.OrgID, "demo-project", "DemoFlow")
	var samples []sample
	require.Eventually(t, func() bool {
		samples = scrape(t, c.prom)
		return find(t, samples, "agora_workflow_executions_total", a) == 1 && find(t, samples, "agora_workflow_executions_total", b) == 1
	}, 15*time.Second, 100*time.Millisecond, "both executions counted")

	// The values are the stored records'.
	execs := chtest.Rows[agora.ExecutionRow](t, conn, "SELECT * EXCEPT Version FROM `"+db+"`.executions FINAL")
	require.Len(t, execs, 2)
	for _, e := range execs {
		l := labels(e.OrgID, e.ProjectName, e.WorkflowName)
		status := labels(e.OrgID, e.ProjectName, e.WorkflowName, "agora_execution_status", e.Status)
		assert.Equal(t, 1.0, find(t, samples, "agora_workflow_executions_total", status), e.WorkflowName)
		assert.Equal(t, 1.0, find(t, samples, "agora_workflow_execution_duration_seconds_count", status))
		require.NotNil(t, e.DurationMs)
		assert.InDelta(t, *e.DurationMs/1000, find(t, samples, "agora_workflow_execution_duration_seconds_sum", status), 1e-6)
		assert.Equal(t, float64(e.RetryCount), find(t, samples, "agora_workflow_retries_total", l))
		assert.Equal(t, 0.0, find(t, samples, "agora_workflow_executions_in_flight", l), "nothing running")
	}
	assert.Equal(t, 1.0, find(t, samples, "agora_workflow_executions_total", labels(orgA.OrgID, "proj-demo1", "wf-demo1", "agora_execution_status", "error")))
	assert.Equal(t, 1.0, find(t, samples, "agora_workflow_retries_total", a), "Think-demo1 retried once")

	// Node durations: one per node execution stored, summed (node rows are
	// inserted apart from their execution's).
	waitForCount(t, "SELECT count() FROM `"+db+"`.node_executions FINAL", 6)
	nodes := chtest.Rows[agora.NodeExecutionRow](t, conn, "SELECT * EXCEPT Version FROM `"+db+"`.node_executions FINAL")
	require.Len(t, nodes, 6)
	for _, n := range nodes {
		l := labels(n.OrgID, n.ProjectName, n.WorkflowName, "agora_node_name", n.NodeName, "agora_node_status", n.Status)
		assert.Equal(t, 1.0, find(t, samples, "agora_workflow_node_duration_seconds_count", l), n.NodeName)
		assert.InDelta(t, n.CompletedAt.Sub(n.StartedAt).Seconds(), find(t, samples, "agora_workflow_node_duration_seconds_sum", l), 1e-6)
	}

	// Tokens by model: the SDK flow's exec span names none, the tracer's
	// call names gpt-4o-mini.
	tokens := func(l map[string]string, model, typ string) float64 {
		m := map[string]string{"gen_ai_request_model": model, "gen_ai_token_type": typ}
		for k, v := range l {
			m[k] = v
		}
		return find(t, samples, "agora_llm_token_usage_total", m)
	}
	assert.Equal(t, []float64{8, 9}, []float64{tokens(a, "unknown", "input"), tokens(a, "unknown", "output")})
	assert.Equal(t, []float64{8, 9}, []float64{tokens(b, "gpt-4o-mini", "input"), tokens(b, "gpt-4o-mini", "output")})
	cost := map[string]string{"gen_ai_request_model": "gpt-4o-mini"}
	for k, v := range b {
		cost[k] = v
	}
	assert.InDelta(t, (8*150000+9*600000)/1e6, find(t, samples, "agora_llm_cost_total", cost), 1e-9)

	// Nothing mixed: every workflow series names its own org's workflow.
	own := map[string]string{orgA.OrgID: "wf-demo1", orgB.OrgID: "DemoFlow"}
	n := 0
	for _, s := range samples {
		if !strings.HasPrefix(s.name, "agora_") {
			continue
		}
		n++
		require.Contains(t, own, s.labels["agora_org_id"], "%s has an org", s.name)
		assert.Equal(t, own[s.labels["agora_org_id"]], s.labels["agora_workflow_name"], "%s %v", s.name, s.labels)
	}
	assert.Positive(t, n)
}
