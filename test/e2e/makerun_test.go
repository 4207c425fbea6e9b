//go:build integration

package e2e

import (
	"bufio"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/agora-otelcol/agora-otelcol/internal/chtest"
	"github.com/agora-otelcol/agora-otelcol/internal/testutil"
)

// TestMakeRunScript runs what `make run` runs (scripts/run.sh) on a fresh
// data directory with every port moved by environment variables: it creates
// the first keys, prints them once and prints where each part listens — the
// moved addresses, not the defaults — and the collector answers there.
func TestMakeRunScript(t *testing.T) {
	root, _ := filepath.Abs("../..")
	work := t.TempDir()
	ui, api, health := testutil.FreeAddr(t), testutil.FreeAddr(t), testutil.FreeAddr(t)
	cmd := exec.Command(filepath.Join(root, "scripts", "run.sh"))
	cmd.Dir = root
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Env = append(os.Environ(),
		"CLICKHOUSE_ENDPOINT="+chtest.HTTPEndpoint(), "CLICKHOUSE_DATABASE="+chtest.NewDatabase(t, chtest.Conn(t)),
		"AGORA_KEYS_FILE="+filepath.Join(work, "keys.yaml"), "AGORA_DATA_DIR="+work, "AGORA_ID_SECRET="+testIDSecret,
		"AGORA_UI_ENDPOINT="+ui, "AGORA_API_ENDPOINT="+api, "AGORA_HEALTH_ENDPOINT="+health,
		"AGORA_OTLP_GRPC_ENDPOINT="+testutil.FreeAddr(t), "AGORA_OTLP_HTTP_ENDPOINT="+testutil.FreeAddr(t),
		"AGORA_READY_ENDPOINT="+testutil.FreeAddr(t), "AGORA_PROM_ENDPOINT="+testutil.FreeAddr(t), "AGORA_METRICS_PORT="+strings.Split(testutil.FreeAddr(t), ":")[1])
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	var stderr syncBuffer
	cmd.Stderr = &stderr
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
		_ = cmd.Wait()
	})
	lines := make(chan string, 100)
	go func() {
		s := bufio.NewScanner(out)
		for s.Scan() {
			lines <- s.Text()
		}
		close(lines)
	}()
	var printed strings.Builder
	deadline := time.After(30 * time.Second)
	for !strings.Contains(printed.String(), "ClickHouse:") {
		select {
		case l, ok := <-lines:
			require.True(t, ok, "run.sh ended early:\n%s", printed.String())
			printed.WriteString(l + "\n")
		case <-deadline:
			t.Fatalf("run.sh printed no addresses within 30s:\n%s", printed.String())
		}
	}
	text := printed.String()
	assert.Contains(t, text, "AGORA_API_KEY=agora_", "the SDK key, once")
	assert.Contains(t, text, "AGORA_PLATFORM_URL=http://"+api)
	assert.Contains(t, text, "monitoring UI:   http://"+ui)
	assert.Contains(t, text, "Agora API:       http://"+api)
	assert.Contains(t, text, "http://"+health+"/status?verbose")
	assert.Eventually(t, func() bool {
		resp, err := http.Get("http://" + health + "/status")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	}, 30*time.Second, 200*time.Millisecond, "the collector listens where it said; its log:\n%s", &stderr)
}
