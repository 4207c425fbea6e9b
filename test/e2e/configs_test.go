package e2e

import (
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestShippedConfigsValidate runs `agora-otelcol validate` on every file in
// config/, with the environment a user of that config provides.
func TestShippedConfigsValidate(t *testing.T) {
	files, err := filepath.Glob("../../config/*.yaml")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			cmd := exec.Command(binary(t), "validate", "--config", f)
			cmd.Env = append(cmd.Environ(), "CLICKHOUSE_ENDPOINT=tcp://127.0.0.1:9000", "CLICKHOUSE_PASSWORD=x", "AGORA_ID_SECRET="+testIDSecret, "AGORA_DATA_DIR="+t.TempDir())
			out, err := cmd.CombinedOutput()
			require.NoError(t, err, "%s", out)
		})
	}
}
