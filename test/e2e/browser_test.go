//go:build integration

package e2e

import (
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/agora-otelcol/agora-otelcol/internal/apikey"
	"github.com/agora-otelcol/agora-otelcol/internal/chtest"
)

// TestBrowserUI runs test/browser/ui.test.mjs (playwright-core driving
// headless chromium) against this collector: sign in (refused for an
// ingest key; an httpOnly session, the key in no browser storage), a
// running execution turning success, the error filter, the detail
// timeline, key create and revoke, an alert rule created, tested and firing
// (history, delivery log, the monitoring page's link), trends, the workflow
// graph (colours, labels, a node's failed runs), a run's path with its loop,
// the LLM-call inspector, usage and cost, search and export, project and
// workflow filters, sessions, the live tail (pause, clear, filter) and
// snapshot diffs, sign out. Screenshots land in
// test-output/.
func TestBrowserUI(t *testing.T) {
	for _, tool := range []string{"node", chromiumPath()} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s not found: `make test` installs it (apt-get install chromium; node ships with the machine)", tool)
		}
	}
	browserDir, _ := filepath.Abs("../browser")
	if _, err := os.Stat(filepath.Join(browserDir, "node_modules", "playwright-core")); err != nil {
		t.Fatalf("playwright-core not installed in %s: `make test` installs it", browserDir)
	}
	screenshots, _ := filepath.Abs("../../test-output")
	require.NoError(t, os.MkdirAll(screenshots, 0o755))

	conn := chtest.Conn(t)
	db := chtest.NewDatabase(t, conn)
	o := alertOptions(db)
	// A price for the tracer's model: the usage page shows cost.
	o.args = append(o.args, "--config=yaml:processors::execution::prices: [{model: gpt-4o-mini*, prompt_per_million: 150, completion_per_million: 600}]")
	c := startCollectorWith(t, o)
	key, org := c.newKey(t, "ui-org", 0)
	hook := newWebhook(t, 0)
	ingestKey, _ := c.newKey(t, "ui-org", 0, apikey.ScopeIngest)
	c.seedRun(t, key, "wf-ui", "success", 3)
	errorExec := c.seedRun(t, key, "wf-ui", "error", 3)
	runningExec := c.seedRun(t, key, "wf-ui", "running", 2)
	waitForCount(t, "SELECT count() FROM `"+db+"`.executions FINAL WHERE OrgId = ? AND WorkflowName = 'wf-ui' AND NodeCount > 0", 3, org.OrgID)
	// The captured SDK flow and the agora_tracer fixture (graph, LLM calls,
	// usage), and a run that loops: Search five times.
	sdkExec := c.sendFixtures(t, key)
	loopExec := c.seedLoop(t, key)
	otlpExec := "3d337f69-eff9-4338-7b62-ebba62f20a9c" // the fixture's trace id
	// Two runs of one conversation; the first changed the shared store.
	sessionExec1 := c.seedRunInput(t, key, "wf-chat", "success", 1, `{"question": "Weather in Zanzibar", "session_id": "conv-ui", "user_id": "alice"}`)
	sessionExec2 := c.seedRunInput(t, key, "wf-chat", "success", 1, `{"question": "And tomorrow?", "session_id": "conv-ui", "user_id": "alice"}`)
	c.sendSnapshots(t, key, sessionExec1, "wf-chat")
	waitForCount(t, "SELECT count() FROM `"+db+"`.executions FINAL WHERE OrgId = ? AND Status != 'running' AND ExecutionId IN (?, ?, ?)", 3, org.OrgID, sdkExec, loopExec, otlpExec)

	cmd := exec.Command("node", "--test", "--test-reporter=spec", "ui.test.mjs")
	cmd.Dir = browserDir
	cmd.Env = append(os.Environ(),
		"UI_URL=http://"+c.ui+"/", "API_URL=http://"+c.api, "KEY="+key, "INGEST_KEY="+ingestKey,
		"RUNNING_EXEC="+runningExec, "ERROR_EXEC="+errorExec, "SDK_EXEC="+sdkExec, "LOOP_EXEC="+loopExec, "OTLP_EXEC="+otlpExec, "SESSION_EXECS="+sessionExec1+","+sessionExec2, "WEBHOOK_URL="+hook.srv.URL+"/hook", "SCREENSHOTS="+screenshots, "CHROMIUM="+chromiumPath())
	out, err := cmd.CombinedOutput()
	t.Logf("browser tests:\n%s", out)
	require.NoError(t, err, "browser tests failed")
	assert.Len(t, hook.byState("test"), 1, "the page's send test")
	assert.Len(t, hook.byState("firing"), 1)
	for _, shot := range []string{"monitoring.png", "execution-detail.png", "settings.png", "alerts.png", "workflow-graph.png", "execution-path.png", "llm-calls.png", "usage.png",
		"search.png", "sessions.png", "session.png", "live.png", "snapshot-diff.png"} {
		info, err := os.Stat(filepath.Join(screenshots, shot))
		require.NoError(t, err)
		require.Positive(t, info.Size())
	}
}

func chromiumPath() string {
	if p := os.Getenv("CHROMIUM"); p != "" {
		return p
	}
	return "/usr/bin/chromium"
}

// seedLoop sends a run of wf-loop through the Agora API whose Search node
// ran five times between Plan and Answer.
func (c *collector) seedLoop(t *testing.T, key string) string {
	t.Helper()
	code, resp := c.send(t, sdkRequest{Method: http.MethodPost, Path: "/telemetry/executions/start", Headers: map[string]string{"Content-Type": "application/json"},
		Body: []byte(`{"workflow_name": "wf-loop", "project_name": "p"}`)}, key, "")
	require.Equal(t, http.StatusOK, code, resp)
	exec := resp["execution_id"].(string)
	var nodes []string
	start := time.Now().UTC()
	for i, name := range []string{"Plan", "Search", "Search", "Search", "Search", "Search", "Answer"} {
		at := start.Add(time.Duration(i) * time.Second)
		nodes = append(nodes, fmt.Sprintf(`{"node_name": %q, "node_type": "T", "status": "success", "started_at": %q, "completed_at": %q, "retry_count": 0}`,
			name, at.Format("2006-01-02T15:04:05.000000"), at.Add(800*time.Millisecond).Format("2006-01-02T15:04:05.000000")))
	}
	code, resp = c.send(t, sdkRequest{Method: http.MethodPost, Path: "/telemetry/batch", Headers: map[string]string{"Content-Type": "application/json"},
		Body: []byte(fmt.Sprintf(`{"execution_id": %q, "workflow_name": "wf-loop", "project_name": "p", "events": [], "node_executions": [%s]}`, exec, strings.Join(nodes, ", ")))}, key, exec)
	require.Equal(t, http.StatusOK, code, resp)
	code, _ = c.send(t, sdkRequest{Method: http.MethodPost, Path: "/telemetry/executions/" + exec + "/complete", Headers: map[string]string{"Content-Type": "application/json"},
		Body: []byte(`{"status": "success"}`)}, key, exec)
	require.Equal(t, http.StatusOK, code)
	return exec
}
