//go:build integration

// Package e2e runs the built agora-otelcol binary against the real ClickHouse
// engine and talks to it the way users' SDKs do.
package e2e

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/agora-otelcol/agora-otelcol/internal/apikey"
	"github.com/agora-otelcol/agora-otelcol/internal/chtest"
	"github.com/agora-otelcol/agora-otelcol/internal/testutil"
)

// syncBuffer collects the process output; the test reads it while the
// process may still write.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// testIDSecret is every test collector's execution_id_secret: like replicas,
// two collectors of one test accept each other's execution ids.
const testIDSecret = "e2e-secret-0123456789abcdefghijklmnopqrstuvwxyz"

// collector is one running agora-otelcol process.
type collector struct {
	cmd         *exec.Cmd
	log         *syncBuffer
	exited      <-chan error
	grpc, http  string // OTLP endpoints, host:port
	api         string // Agora API, host:port
	ui          string // monitoring UI and query API, host:port
	health      string // per-component status (healthcheckv2)
	ready       string // readiness (agorahealth)
	keysFile    string
	stopped     bool
	opts        options
	metricsPort string
	prom        string // workflow metrics (prometheus exporter), host:port
}

func binary(t testing.TB) string {
	t.Helper()
	bin := os.Getenv("AGORA_OTELCOL_BIN")
	if bin == "" {
		bin, _ = filepath.Abs("../../bin/agora-otelcol")
	}
	if _, err := os.Stat(bin); err != nil {
		t.Fatalf("collector binary %s not found: run `make test` (it builds it) or set AGORA_OTELCOL_BIN", bin)
	}
	return bin
}

// startCollector runs the binary with the shipped config/local.yaml, the
// config `make run` uses, pointed by its environment variables at free ports
// and at database db; it waits until the health check answers.
func startCollector(t testing.TB, db string) *collector {
	return startCollectorWith(t, options{db: db})
}

// startCollectorWithKeys is startCollector with a given keys file.
func startCollectorWithKeys(t testing.TB, db, keysFile string) *collector {
	return startCollectorWith(t, options{db: db, keysFile: keysFile})
}

// options of a test collector; empty fields get fresh temp paths.
type options struct {
	config                string // file in config/; default local.yaml
	db, keysFile, dataDir string
	clickhouse            string // endpoint; default the test engine over HTTP
	env                   []string
	args                  []string // more --config flags
}

func startCollectorWith(t testing.TB, o options) *collector {
	t.Helper()
	if o.keysFile == "" {
		o.keysFile = filepath.Join(t.TempDir(), "keys.yaml")
	}
	if o.dataDir == "" {
		o.dataDir = t.TempDir()
	}
	if o.clickhouse == "" {
		o.clickhouse = chtest.HTTPEndpoint()
	}
	c := &collector{grpc: testutil.FreeAddr(t), http: testutil.FreeAddr(t), api: testutil.FreeAddr(t), ui: testutil.FreeAddr(t),
		health: testutil.FreeAddr(t), ready: testutil.FreeAddr(t), prom: testutil.FreeAddr(t), keysFile: o.keysFile, log: &syncBuffer{}, opts: o}
	_, c.metricsPort, _ = net.SplitHostPort(testutil.FreeAddr(t))
	t.Cleanup(func() {
		c.stop(t)
		if t.Failed() {
			t.Logf("collector output:\n%s", c.log.String())
		}
	})
	c.launch(t)
	return c
}

// launch starts the process with the collector's options and addresses
// (again, after a kill) and waits until the health check answers.
func (c *collector) launch(t testing.TB) {
	t.Helper()
	file := c.opts.config
	if file == "" {
		file = "local.yaml"
	}
	config, err := filepath.Abs("../../config/" + file)
	require.NoError(t, err)
	args := append([]string{"--config", config}, c.opts.args...)
	if addr := os.Getenv("AGORA_E2E_PPROF"); addr != "" {
		// For profiling a run by hand: AGORA_E2E_PPROF=localhost:1777.
		args = append(args, "--config=yaml:extensions::pprof::endpoint: "+addr,
			"--config=yaml:service::extensions: [apikeyauth, wal_storage/state, wal_storage/queue, healthcheckv2, agorahealth, agoraui, pprof]")
	}
	c.cmd = exec.Command(binary(t), args...)
	c.cmd.Env = append(os.Environ(),
		"AGORA_HEALTH_ENDPOINT="+c.health,
		"AGORA_OTLP_GRPC_ENDPOINT="+c.grpc,
		"AGORA_OTLP_HTTP_ENDPOINT="+c.http,
		"AGORA_METRICS_PORT="+c.metricsPort,
		"CLICKHOUSE_ENDPOINT="+c.opts.clickhouse,
		"CLICKHOUSE_DATABASE="+c.opts.db,
		"AGORA_KEYS_FILE="+c.keysFile,
		"AGORA_API_ENDPOINT="+c.api,
		"AGORA_ID_SECRET="+testIDSecret,
		"AGORA_DATA_DIR="+c.opts.dataDir,
		"AGORA_UI_ENDPOINT="+c.ui,
		"AGORA_READY_ENDPOINT="+c.ready,
		"AGORA_PROM_ENDPOINT="+c.prom,
		// The fixtures carry fixed dates: no time window (tests of the
		// window set their own).
		"AGORA_TIMESTAMP_PAST=0",
	)
	c.cmd.Env = append(c.cmd.Env, c.opts.env...)
	c.cmd.Stdout, c.cmd.Stderr = c.log, c.log
	require.NoError(t, c.cmd.Start())
	c.stopped = false
	exited := make(chan error, 1)
	c.exited = exited
	go func() { exited <- c.cmd.Wait() }()

	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case err := <-c.exited:
			t.Fatalf("collector exited during start: %v\n%s", err, c.log.String())
		default:
		}
		if resp, err := http.Get("http://" + c.health + "/status"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("collector not healthy within 60s:\n%s", c.log.String())
}

// kill ends the process with SIGKILL, as a crash would: nothing is flushed.
func (c *collector) kill() {
	_ = c.cmd.Process.Kill()
	<-c.exited
	c.stopped = true
}

// newKey creates an API key for org in the collector's keys file, as
// agoractl does, and returns it and its record. Without scopes the key has
// them all (tests of other things send and read with one key).
func (c *collector) newKey(t testing.TB, org string, ttl time.Duration, scopes ...apikey.Scope) (string, apikey.Key) {
	t.Helper()
	secret, key := c.newKeyNoWait(t, org, ttl, scopes...)
	if ttl == 0 {
		c.waitKeyActive(t, &key, secret)
	}
	return secret, key
}

// newKeyNoWait creates the key without waiting for the collector to load it.
func (c *collector) newKeyNoWait(t testing.TB, org string, ttl time.Duration, scopes ...apikey.Scope) (string, apikey.Key) {
	t.Helper()
	if len(scopes) == 0 {
		scopes = apikey.Scopes
	}
	var secret string
	var key apikey.Key
	_, err := apikey.Update(c.keysFile, func(f *apikey.File) (err error) {
		secret, key, err = f.CreateKey(org, "e2e", scopes, ttl, time.Now())
		return err
	})
	require.NoError(t, err)
	return secret, key
}

// waitKeyActive waits for the collector's next keys-file reload to pick the
// key up, probing with an empty export request (which stores nothing), or
// the UI's /api/me for a key that cannot send.
func (c *collector) waitKeyActive(t testing.TB, k *apikey.Key, secret string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		var code int
		if k.Has(apikey.ScopeIngest) {
			code, _ = postHTTP(t, c, map[string]string{"X-API-Key": secret}, ptrace.NewTraces())
		} else {
			code = c.uiStatus(t, secret, "/api/me")
		}
		if code == http.StatusOK {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("key not accepted within 10s of being created")
}

// uiStatus is the status of a GET on the UI with the key.
func (c *collector) uiStatus(t testing.TB, secret, path string) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, "http://"+c.ui+path, nil)
	require.NoError(t, err)
	req.Header.Set("X-API-Key", secret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}

// stop ends the collector the way an orchestrator does (SIGTERM) and waits:
// the exporter drains its queue on the way out.
func (c *collector) stop(t testing.TB) {
	if c.stopped {
		return
	}
	c.stopped = true
	_ = c.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-c.exited:
	case <-time.After(30 * time.Second):
		_ = c.cmd.Process.Kill()
		t.Errorf("collector did not stop within 30s after SIGTERM")
	}
}

// waitForCount polls until the query returns want, or fails after 15 s.
func waitForCount(t testing.TB, query string, want uint64, args ...any) {
	t.Helper()
	waitForCountOn(t, chtest.Conn(t), query, want, args...)
}

// waitForCountOn is waitForCount on another engine.
func waitForCountOn(t testing.TB, conn driver.Conn, query string, want uint64, args ...any) {
	t.Helper()
	var got uint64
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		require.NoError(t, conn.QueryRow(context.Background(), query, args...).Scan(&got))
		if got == want {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("%s: got %d rows, want %d", strings.TrimSpace(query), got, want)
}
