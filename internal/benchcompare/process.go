// Package benchcompare runs one generated load through whole collector
// processes (agora-otelcol and contrib's ClickHouse exporter) against one
// ClickHouse engine, and measures what each costs: collector and engine
// CPU, peak memory, wall time, and that every row arrived.
package benchcompare

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/agora-otelcol/agora-otelcol/internal/apikey"
)

// collector is one running collector process.
type collector struct {
	cmd                        *exec.Cmd
	health, otlp, api, ui      string // host:port
	key                        string // an API key with every scope (agora only)
	log                        *os.File
	exited                     chan error
	dataDir, keysFile, logPath string
}

// freeAddr is a loopback address no one listens on right now.
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// start runs bin with config and env (plus ports, a data dir and, for
// agora, a keys file with one key) and waits until its health check answers.
func start(ctx context.Context, bin string, args []string, env []string, workDir string, agora bool) (*collector, error) {
	c := &collector{exited: make(chan error, 1), dataDir: filepath.Join(workDir, "data")}
	var err error
	addrs := make([]string, 8)
	for i := range addrs {
		if addrs[i], err = freeAddr(); err != nil {
			return nil, err
		}
	}
	c.health, c.otlp, c.api, c.ui = addrs[0], addrs[1], addrs[2], addrs[3]
	_, metricsPort, _ := net.SplitHostPort(addrs[7])
	if err := os.MkdirAll(c.dataDir, 0o755); err != nil {
		return nil, err
	}
	c.keysFile = filepath.Join(workDir, "keys.yaml")
	if agora {
		if _, err := apikey.Update(c.keysFile, func(f *apikey.File) (err error) {
			c.key, _, err = f.CreateKey("bench", "bench", apikey.Scopes, 0, time.Now())
			return err
		}); err != nil {
			return nil, err
		}
	} else {
		c.key, _ = apikey.Generate() // sent, and ignored: contrib has no auth
	}
	c.logPath = filepath.Join(workDir, "collector.log")
	if c.log, err = os.Create(c.logPath); err != nil {
		return nil, err
	}
	c.cmd = exec.CommandContext(ctx, bin, args...)
	c.cmd.Env = append(os.Environ(),
		"AGORA_HEALTH_ENDPOINT="+c.health, "AGORA_OTLP_HTTP_ENDPOINT="+c.otlp, "AGORA_OTLP_GRPC_ENDPOINT="+addrs[4],
		"AGORA_API_ENDPOINT="+c.api, "AGORA_UI_ENDPOINT="+c.ui, "AGORA_READY_ENDPOINT="+addrs[5], "AGORA_PROM_ENDPOINT="+addrs[6],
		"AGORA_METRICS_PORT="+metricsPort, "AGORA_DATA_DIR="+c.dataDir, "AGORA_KEYS_FILE="+c.keysFile,
		"AGORA_ID_SECRET=bench-secret-bench-secret-bench-secret!!", "AGORA_LOG_LEVEL=warn")
	c.cmd.Env = append(c.cmd.Env, env...)
	c.cmd.Stdout, c.cmd.Stderr = c.log, c.log
	if err := c.cmd.Start(); err != nil {
		return nil, err
	}
	go func() { c.exited <- c.cmd.Wait() }()
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		select {
		case err := <-c.exited:
			return nil, fmt.Errorf("%s exited during start (%v); log: %s", filepath.Base(bin), err, c.logPath)
		default:
		}
		if resp, err := http.Get("http://" + c.health + "/status"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return c, nil
			}
		}
	}
	c.stop()
	return nil, fmt.Errorf("%s not healthy within a minute; log: %s", filepath.Base(bin), c.logPath)
}

func (c *collector) pid() int { return c.cmd.Process.Pid }

// stop ends the process with SIGTERM (it drains) and waits.
func (c *collector) stop() {
	_ = c.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-c.exited:
	case <-time.After(30 * time.Second):
		_ = c.cmd.Process.Kill()
		<-c.exited
	}
	c.log.Close()
}

// enginePID reads the local engine's pid from its state directory.
func enginePID(stateDir string) (int, error) {
	b, err := os.ReadFile(filepath.Join(stateDir, "engine.pid"))
	if err != nil {
		return 0, fmt.Errorf("engine pid (is the engine up under %s?): %w", stateDir, err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		return 0, errors.New("engine.pid: not a number")
	}
	return pid, nil
}
