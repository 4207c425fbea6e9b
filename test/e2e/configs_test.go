//go:build integration

package e2e

import (
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
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
			cert, key, _ := testCert(t, t.TempDir())
			cmd := exec.Command(binary(t), "validate", "--config", f)
			cmd.Env = append(cmd.Environ(), "CLICKHOUSE_ENDPOINT=tcp://127.0.0.1:9000", "CLICKHOUSE_PASSWORD=x", "AGORA_ID_SECRET="+testIDSecret, "AGORA_DATA_DIR="+t.TempDir(),
				"AGORA_TLS_CERT_FILE="+cert, "AGORA_TLS_KEY_FILE="+key, "AGORA_FORWARD_ENDPOINT=http://127.0.0.1:4318")
			out, err := cmd.CombinedOutput()
			require.NoError(t, err, "%s", out)
		})
	}
}

// TestGatewayRefusesToStartWithoutTLS: the gateway's listeners leave the
// machine, so without a certificate it does not start (unless TLS is
// explicitly left to a proxy), naming what is missing.
func TestGatewayRefusesToStartWithoutTLS(t *testing.T) {
	gateway, _ := filepath.Abs("../../config/gateway.yaml")
	env := []string{"CLICKHOUSE_ENDPOINT=tcp://127.0.0.1:9000", "CLICKHOUSE_PASSWORD=x", "AGORA_ID_SECRET=" + testIDSecret, "AGORA_DATA_DIR=" + t.TempDir()}
	cmd := exec.Command(binary(t), "validate", "--config", gateway)
	cmd.Env = append(cmd.Environ(), env...)
	out, err := cmd.CombinedOutput()
	require.Error(t, err)
	assert.Contains(t, string(out), "receivers::agora::http::tls: TLS configuration must include both certificate and key")
	cmd = exec.Command(binary(t), "validate", "--config", gateway)
	cmd.Env = append(cmd.Environ(), append(env, "AGORA_TLS=false")...)
	out, err = cmd.CombinedOutput()
	require.NoError(t, err, "behind a TLS-terminating proxy: %s", out)
}
