//go:build integration

package e2e

import (
	"encoding/hex"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/agora-otelcol/agora-otelcol/internal/agora"
	"github.com/agora-otelcol/agora-otelcol/internal/chtest"
)

// agentRun runs one of test/agents' instrumented programs against the
// collector and returns the executions of its two runs (ok, failing).
func agentRun(t *testing.T, c *collector, db, org, key, script string) (ok, failing agora.ExecutionRow, okNodes, failingNodes []agora.NodeExecutionRow) {
	t.Helper()
	dir, _ := filepath.Abs("../agents")
	out := filepath.Join(t.TempDir(), "traces.json")
	cmd := exec.Command("node", script)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "OTLP=http://"+c.http, "KEY="+key, "OUT="+out)
	b, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s:\n%s", script, b)
	var traces struct{ OK, Failing string }
	raw, err := os.ReadFile(out)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(raw, &traces))
	exec := func(traceHex string) uuid.UUID {
		id, err := hex.DecodeString(traceHex)
		require.NoError(t, err)
		return uuid.UUID(id)
	}
	okID, failID := exec(traces.OK), exec(traces.Failing)
	defer func() {
		if t.Failed() {
			for _, r := range chtest.Rows[agora.ExecutionRow](t, chtest.Conn(t), "SELECT * EXCEPT Version FROM `"+db+"`.executions FINAL") {
				t.Logf("stored: %s %s %s %s nodes=%d", r.ExecutionID, r.WorkflowName, r.Status, r.Source, r.NodeCount)
			}
			spans := chtest.Rows[agora.SpanRow](t, chtest.Conn(t), "SELECT * FROM `"+db+"`.spans")
			for _, s := range spans {
				t.Logf("span %s %s parent=%s %v", s.TraceID, s.Name, s.ParentSpanID, s.Attributes)
			}
		}
	}()
	waitForCount(t, "SELECT count() FROM `"+db+"`.executions FINAL WHERE OrgId = ? AND ExecutionId IN (?, ?) AND Status != 'running'", 2, org, okID, failID)
	ok, okNodes = storedRun(t, db, org, okID)
	failing, failingNodes = storedRun(t, db, org, failID)
	var execs uint64
	require.NoError(t, chtest.Conn(t).QueryRow(t.Context(), "SELECT count() FROM `"+db+"`.executions FINAL WHERE OrgId = ?", org).Scan(&execs))
	assert.Equal(t, uint64(2), execs, "each trace is exactly one execution")
	return ok, failing, okNodes, failingNodes
}

type nodeView struct {
	Name, Type, Status, Model string
	Tokens                    int64
}

func viewNodes(nodes []agora.NodeExecutionRow) []nodeView {
	var out []nodeView
	for _, n := range nodes {
		v := nodeView{Name: n.NodeName, Type: n.NodeType, Status: n.Status, Model: n.Model}
		if n.TotalTokens != nil {
			v.Tokens = *n.TotalTokens
		}
		out = append(out, v)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// TestAgentFrameworks: traces of real agent instrumentation from npm —
// OpenLLMetry's SDK, OpenInference's openai instrumentation, the OTel SDK
// with GenAI conventions — talking to a local OpenAI-compatible server,
// each become one execution with its steps, statuses, tokens and models; a
// tool that throws makes its run an error with the message.
func TestAgentFrameworks(t *testing.T) {
	dir, _ := filepath.Abs("../agents")
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "@traceloop", "node-server-sdk")); err != nil {
		t.Fatalf("the agent instrumentations are not installed in %s: `make deps` installs them", dir)
	}
	conn := chtest.Conn(t)

	type want struct {
		workflow, project, session, errMsg string
		okNodes, failingNodes              []nodeView
		prompt, completion                 int64
		models                             []string
		input, output                      string
	}
	for _, tc := range []struct {
		name, script, source string
		want                 want
	}{
		{"openllmetry", "openllmetry.mjs", "openllmetry", want{workflow: "research", project: "traceloop-app", errMsg: "lookup service down",
			okNodes:      []nodeView{{"plan", "task", "success", "gpt-4o-mini", 18}, {"search", "tool", "success", "", 0}, {"write", "task", "success", "gpt-4o-mini", 18}},
			failingNodes: []nodeView{{"lookup", "tool", "error", "", 0}}, prompt: 22, completion: 14, models: []string{"gpt-4o-mini"}}},
		{"openinference", "openinference.mjs", "openinference", want{workflow: "support", project: "openinference-app", session: "session-42", errMsg: "payments API timeout",
			okNodes:      []nodeView{{"order_lookup", "tool", "success", "", 0}, {"triage", "agent", "success", "gpt-4o", 36}},
			failingNodes: []nodeView{{"payments", "tool", "error", "", 0}}, prompt: 22, completion: 14, models: []string{"gpt-4o"},
			input: `{"question":"where is my order?"}`, output: `{"answer":"shipped"}`}},
		// The agent span repeats its calls' usage (100/30): counted once, from the calls.
		{"genai", "genai.mjs", "genai", want{workflow: "Planner", project: "genai-app", session: "conv-7", errMsg: "no seats left",
			okNodes: []nodeView{{"get_weather", "tool", "success", "", 0}}, failingNodes: []nodeView{{"book_flight", "tool", "error", "", 0}},
			prompt: 40, completion: 10, models: []string{"gpt-4.1", "gpt-4.1-mini"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db := chtest.NewDatabase(t, conn)
			c := startCollector(t, db)
			key, k := c.newKey(t, tc.name, 0)
			ok, failing, okNodes, failingNodes := agentRun(t, c, db, k.OrgID, key, tc.script)
			w := tc.want
			assert.Equal(t, []string{w.workflow, w.project, "success", tc.source, w.session}, []string{ok.WorkflowName, ok.ProjectName, ok.Status, ok.Source, ok.SessionID})
			assert.Equal(t, w.okNodes, viewNodes(okNodes))
			assert.Equal(t, uint32(len(w.okNodes)), ok.NodeCount)
			assert.Equal(t, []int64{w.prompt, w.completion, w.prompt + w.completion}, []int64{ok.PromptTokens, ok.CompletionTokens, ok.TotalTokens})
			assert.Equal(t, w.models, ok.Models)
			if w.input != "" {
				assert.JSONEq(t, w.input, ok.Input)
				assert.JSONEq(t, w.output, ok.Output)
			}
			assert.Equal(t, []string{"error", w.errMsg}, []string{failing.Status, failing.ErrorMessage}, "a failing tool makes the run an error")
			assert.Equal(t, w.failingNodes, viewNodes(failingNodes))
			assert.Equal(t, uint32(1), failing.ErrorCount)
		})
	}
}
