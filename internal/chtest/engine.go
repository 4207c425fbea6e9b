package chtest

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/agora-otelcol/agora-otelcol/internal/testutil"
)

// Engine is a ClickHouse engine of the test's own, for tests that stop it:
// the shared test engine serves the other test packages meanwhile.
type Engine struct {
	t                 testing.TB
	dir               string
	tcpPort, httpPort int
	bin, lib          string
}

// StartEngine starts a supervised engine on free ports with a fresh data
// directory, through the agora-clickhouse launcher, and stops it when the
// test ends.
func StartEngine(t testing.TB) *Engine {
	t.Helper()
	e := &Engine{t: t, dir: t.TempDir(), tcpPort: testutil.FreePort(t), httpPort: testutil.FreePort(t),
		bin: mustPath(t, "AGORA_CLICKHOUSE_BIN", "bin/agora-clickhouse"), lib: mustPath(t, "AGORA_ENGINE_LIB", ".local/engine/libchdb.so")}
	e.Up()
	t.Cleanup(e.Down)
	return e
}

func mustPath(t testing.TB, env, repoPath string) string {
	p := os.Getenv(env)
	if p == "" {
		p = filepath.Join(repoRoot(), repoPath)
	}
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("%s (%s) not found: run tests with `make test`", env, p)
	}
	return p
}

func repoRoot() string {
	dir, _ := os.Getwd()
	for dir != "/" {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		dir = filepath.Dir(dir)
	}
	return "."
}

func (e *Engine) run(cmd string) (string, error) {
	out, err := exec.Command(e.bin, cmd, "--lib", e.lib, "--dir", e.dir,
		"--tcp-port", strconv.Itoa(e.tcpPort), "--http-port", strconv.Itoa(e.httpPort)).CombinedOutput()
	return strings.TrimSpace(string(out)), err
}

// Up starts the engine (again) on the same data and waits until it answers.
func (e *Engine) Up() {
	if out, err := e.run("up"); err != nil {
		e.t.Fatalf("engine up: %v: %s", err, out)
	}
}

// Down stops it; its data stays.
func (e *Engine) Down() {
	if out, err := e.run("down"); err != nil {
		e.t.Errorf("engine down: %v: %s", err, out)
	}
}

// HTTP is its HTTP endpoint.
func (e *Engine) HTTP() string { return "http://127.0.0.1:" + strconv.Itoa(e.httpPort) }

// Native is its native-protocol endpoint.
func (e *Engine) Native() string { return "tcp://127.0.0.1:" + strconv.Itoa(e.tcpPort) }

// Status is the launcher's status line (it counts restarts).
func (e *Engine) Status() string {
	out, _ := e.run("status")
	return out
}
