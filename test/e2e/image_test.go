//go:build integration

package e2e

import (
	"encoding/json"
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

	"github.com/agora-otelcol/agora-otelcol/internal/apikey"
	"github.com/agora-otelcol/agora-otelcol/internal/chtest"
	"github.com/agora-otelcol/agora-otelcol/internal/testutil"
)

// TestContainerImage builds the Dockerfile with buildah (make deps installs
// it), from the binary this run built (BINARY_FROM=prebuilt: no Go stage, no
// registry), then runs the image's own entrypoint and gateway config: as the
// non-root user, against the test engine, a span sent with a key is stored.
func TestContainerImage(t *testing.T) {
	buildah, err := exec.LookPath("buildah")
	require.NoError(t, err, "buildah: make deps installs it")
	root, _ := filepath.Abs("../..")
	run := func(args ...string) string {
		t.Helper()
		cmd := exec.Command(buildah, append([]string{"--storage-driver", "vfs"}, args...)...)
		cmd.Dir = root
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "buildah %v:\n%s", args, out)
		return strings.TrimSpace(string(out))
	}
	stage := filepath.Join(root, "_build", "container")
	require.NoError(t, os.MkdirAll(stage, 0o755))
	for src, dst := range map[string]string{binary(t): "agora-otelcol", "/etc/ssl/certs/ca-certificates.crt": "ca-certificates.crt"} {
		b, err := os.ReadFile(src)
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(stage, dst), b, 0o755))
	}
	image := "agora-otelcol:e2e"
	run("bud", "--isolation", "chroot", "--quiet", "--build-arg", "BINARY_FROM=prebuilt", "-t", image, ".")
	t.Cleanup(func() { _ = exec.Command(buildah, "--storage-driver", "vfs", "rmi", "-f", image).Run() })
	assert.Equal(t, "10001:10001", run("inspect", "--format", "{{.OCIv1.Config.User}}", image), "runs as a non-root user")

	keys := t.TempDir()
	require.NoError(t, os.Chmod(keys, 0o755))
	var key string
	_, err = apikey.Update(filepath.Join(keys, "keys.yaml"), func(f *apikey.File) (err error) {
		key, _, err = f.CreateKey("image", "e2e", nil, 0, time.Now())
		return err
	})
	require.NoError(t, err)
	require.NoError(t, os.Chmod(filepath.Join(keys, "keys.yaml"), 0o644))
	db := chtest.NewDatabase(t, chtest.Conn(t))
	health, otlp := testutil.FreeAddr(t), testutil.FreeAddr(t)
	ctr := run("from", "--quiet", image)
	t.Cleanup(func() { _ = exec.Command(buildah, "--storage-driver", "vfs", "rm", ctr).Run() })
	args := []string{"--storage-driver", "vfs", "run", "--isolation", "chroot", "--volume", keys + ":/etc/agora:ro"}
	for _, e := range []string{"AGORA_TLS=false", "CLICKHOUSE_ENDPOINT=" + chtest.HTTPEndpoint(), "CLICKHOUSE_DATABASE=" + db,
		"AGORA_ID_SECRET=" + testIDSecret, "AGORA_HEALTH_ENDPOINT=" + health, "AGORA_OTLP_HTTP_ENDPOINT=" + otlp,
		"AGORA_OTLP_GRPC_ENDPOINT=" + testutil.FreeAddr(t), "AGORA_API_ENDPOINT=" + testutil.FreeAddr(t),
		"AGORA_UI_ENDPOINT=" + testutil.FreeAddr(t), "AGORA_READY_ENDPOINT=" + testutil.FreeAddr(t), "AGORA_PROM_ENDPOINT=" + testutil.FreeAddr(t),
		"AGORA_METRICS_PORT=" + strings.Split(testutil.FreeAddr(t), ":")[1]} {
		args = append(args, "--env", e)
	}
	// The image's own entrypoint and CMD (config/gateway.yaml), as a
	// container runtime would run them (buildah run needs them spelled).
	var img struct {
		OCIv1 struct {
			Config struct{ Entrypoint, Cmd []string }
		}
	}
	require.NoError(t, json.Unmarshal([]byte(run("inspect", image)), &img))
	entry, cmdline := img.OCIv1.Config.Entrypoint, img.OCIv1.Config.Cmd
	require.Equal(t, []string{"/agora-otelcol"}, entry)
	cmd := exec.Command(buildah, append(append(append(args, ctr, "--"), entry...), cmdline...)...)
	var log syncBuffer
	cmd.Stdout, cmd.Stderr = &log, &log
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // buildah's chroot child goes with it
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL); _ = cmd.Wait() })

	c := &collector{http: otlp}
	require.Eventually(t, func() bool {
		resp, err := http.Get("http://" + health + "/status")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	}, time.Minute, 200*time.Millisecond, "the container's collector is healthy:\n%s", &log)
	code, body := postHTTP(t, c, map[string]string{"X-API-Key": key}, oneSpan("from-the-image", "", 7))
	require.Equal(t, http.StatusOK, code, body)
	waitForCount(t, "SELECT count() FROM `"+db+"`.spans WHERE ServiceName = 'from-the-image'", 1)
}
