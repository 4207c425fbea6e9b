//go:build integration

package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

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
// (history, delivery log, the monitoring page's link), sign out. Screenshots
// of the four pages land in test-output/.
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
	c := startCollectorWith(t, alertOptions(db))
	key, org := c.newKey(t, "ui-org", 0)
	hook := newWebhook(t, 0)
	ingestKey, _ := c.newKey(t, "ui-org", 0, apikey.ScopeIngest)
	c.seedRun(t, key, "wf-ui", "success", 3)
	errorExec := c.seedRun(t, key, "wf-ui", "error", 3)
	runningExec := c.seedRun(t, key, "wf-ui", "running", 2)
	waitForCount(t, "SELECT count() FROM `"+db+"`.executions FINAL WHERE OrgId = ? AND NodeCount > 0", 3, org.OrgID)

	cmd := exec.Command("node", "--test", "--test-reporter=spec", "ui.test.mjs")
	cmd.Dir = browserDir
	cmd.Env = append(os.Environ(),
		"UI_URL=http://"+c.ui+"/", "API_URL=http://"+c.api, "KEY="+key, "INGEST_KEY="+ingestKey,
		"RUNNING_EXEC="+runningExec, "ERROR_EXEC="+errorExec, "WEBHOOK_URL="+hook.srv.URL+"/hook", "SCREENSHOTS="+screenshots, "CHROMIUM="+chromiumPath())
	out, err := cmd.CombinedOutput()
	t.Logf("browser tests:\n%s", out)
	require.NoError(t, err, "browser tests failed")
	assert.Len(t, hook.byState("test"), 1, "the page's send test")
	assert.Len(t, hook.byState("firing"), 1)
	for _, shot := range []string{"monitoring.png", "execution-detail.png", "settings.png", "alerts.png"} {
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
