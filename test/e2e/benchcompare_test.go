//go:build integration

package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/agora-otelcol/agora-otelcol/internal/chtest"
)

// TestBenchCompareSmoke runs `make bench-compare`'s tool with a small load
// against the test engine, so the comparison (contrib's collector built by
// ocb, the load tool, /proc readings, the row checks) cannot rot. Its
// figures mean nothing at this size.
func TestBenchCompareSmoke(t *testing.T) {
	root, _ := filepath.Abs("../..")
	contrib := os.Getenv("AGORA_CONTRIB_BIN")
	engineDir := os.Getenv("AGORA_TEST_ENGINE_DIR")
	require.NotEmpty(t, contrib, "AGORA_CONTRIB_BIN (make test builds it)")
	require.NotEmpty(t, engineDir, "AGORA_TEST_ENGINE_DIR (make test sets it)")
	cmd := exec.Command("go", "run", "./cmd/agora-bench", "--agora", binary(t), "--contrib", contrib,
		"--clickhouse", chtest.NativeEndpoint(), "--engine-dir", engineDir,
		"--executions", "500", "--api-executions", "40", "--rounds", "1")
	cmd.Dir = root
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)
	for _, row := range []string{"| contrib batch | 7000 spans", "| contrib persistent | 7000 spans", "| agora-otelcol | 7000 spans", "| agora-otelcol API | 2000 node items", "agora-otelcol vs contrib batch:"} {
		assert.True(t, strings.Contains(string(out), row), "%q in:\n%s", row, out)
	}
}

// TestContribSideBySide: this project's exporter (agora_clickhouse) and
// contrib's (clickhouse) build into one collector and run in one config,
// as a user adding contrib's exporter to write plain OTel tables would.
func TestContribSideBySide(t *testing.T) {
	contrib := os.Getenv("AGORA_CONTRIB_BIN")
	require.NotEmpty(t, contrib, "AGORA_CONTRIB_BIN (make test builds it)")
	out, err := exec.Command(contrib, "components").CombinedOutput()
	require.NoError(t, err, "%s", out)
	assert.Contains(t, string(out), "- name: agora_clickhouse")
	assert.Contains(t, string(out), "- name: clickhouse\n")
	cfg := filepath.Join(t.TempDir(), "both.yaml")
	require.NoError(t, os.WriteFile(cfg, []byte(`
receivers:
  otlp:
    protocols: {http: {endpoint: 127.0.0.1:0}}
exporters:
  agora_clickhouse:
    connection: {endpoint: `+chtest.NativeEndpoint()+`}
  clickhouse:
    endpoint: `+chtest.NativeEndpoint()+`
service:
  pipelines:
    traces: {receivers: [otlp], exporters: [agora_clickhouse, clickhouse]}
`), 0o600))
	out, err = exec.Command(contrib, "validate", "--config", cfg).CombinedOutput()
	require.NoError(t, err, "%s", out)
}
