package chlocal

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Instance is one local engine: its ports and its state directory, which
// holds data/, clickhouse.pid (the supervisor), engine.pid, restarts and
// clickhouse.log.
type Instance struct {
	Library    string
	StateDir   string
	ListenHost string
	TCPPort    int
	HTTPPort   int
}

func (in Instance) pidFile() string { return filepath.Join(in.StateDir, "clickhouse.pid") }

// LogFile is where the background engine writes its output.
func (in Instance) LogFile() string { return filepath.Join(in.StateDir, "clickhouse.log") }

// ServeConfig is the foreground configuration of this instance.
func (in Instance) ServeConfig() ServeConfig {
	return ServeConfig{
		Library: in.Library, DataDir: filepath.Join(in.StateDir, "data"),
		ListenHost: in.ListenHost, TCPPort: in.TCPPort, HTTPPort: in.HTTPPort,
	}
}

func (in Instance) httpAddr() string {
	return net.JoinHostPort(in.ListenHost, strconv.Itoa(in.HTTPPort))
}

// Up starts the engine's supervisor in the background (self re-exec with
// "supervise", which runs "serve" and restarts it if it dies) and waits
// until the engine answers queries. It is a no-op when this instance already runs.
func (in Instance) Up(ctx context.Context, self string, wait time.Duration) error {
	if _, err := os.Stat(in.Library); err != nil {
		return fmt.Errorf("%w: %s", ErrNoLibrary, in.Library)
	}
	if pid, ok := in.runningPID(); ok {
		if in.ready(ctx) == nil {
			return nil
		}
		return fmt.Errorf("engine process %d is running but not answering on %s; see %s or run down first", pid, in.httpAddr(), in.LogFile())
	}
	for _, port := range []int{in.TCPPort, in.HTTPPort} {
		if err := portFree(in.ListenHost, port); err != nil {
			return err
		}
	}
	if err := os.MkdirAll(in.StateDir, 0o755); err != nil {
		return err
	}
	logf, err := os.OpenFile(in.LogFile(), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	defer logf.Close()
	_ = os.Remove(in.restartsFile())
	cmd := exec.Command(self, append([]string{"supervise"}, in.args()...)...)
	cmd.Stdout, cmd.Stderr = logf, logf
	// Own session: Ctrl-C in the shell that ran `up` does not reach it; `down` does.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start engine: %w", err)
	}
	if err := os.WriteFile(in.pidFile(), []byte(strconv.Itoa(cmd.Process.Pid)), 0o644); err != nil {
		return err
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()

	deadline := time.NewTimer(wait)
	defer deadline.Stop()
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case err := <-exited:
			_ = os.Remove(in.pidFile())
			return fmt.Errorf("engine supervisor exited during start (%v); last log lines:\n%s", err, tail(in.LogFile(), 20))
		case <-deadline.C:
			return fmt.Errorf("engine not ready on %s after %s; see %s", in.httpAddr(), wait, in.LogFile())
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
			if in.ready(ctx) == nil {
				return nil
			}
		}
	}
}

// Down stops the supervisor, which stops the engine cleanly, and waits for
// both to exit.
func (in Instance) Down(ctx context.Context, wait time.Duration) error {
	pid, ok := in.runningPID()
	if !ok {
		_ = os.Remove(in.pidFile())
		return nil
	}
	proc, _ := os.FindProcess(pid)
	_ = proc.Signal(syscall.SIGTERM)
	if !waitExit(pid, wait) {
		_ = proc.Signal(syscall.SIGKILL)
		waitExit(pid, 5*time.Second)
	}
	if epid, ok := readPID(in.enginePIDFile()); ok && alive(epid) {
		_ = syscall.Kill(epid, syscall.SIGKILL)
		waitExit(epid, 5*time.Second)
	}
	_ = os.Remove(in.enginePIDFile())
	return os.Remove(in.pidFile())
}

// stopQuery cancels the query that keeps the engine serving (see serveQuery).
const stopQuery = "KILL QUERY WHERE query LIKE '%sleepEachRow%' AND query NOT LIKE '%KILL QUERY%' SYNC"

func waitExit(pid int, wait time.Duration) bool {
	deadline := time.Now().Add(wait)
	for time.Now().Before(deadline) {
		if !alive(pid) {
			return true
		}
		time.Sleep(100 * time.Millisecond)
	}
	return false
}

// Status reports whether the engine runs and answers.
func (in Instance) Status(ctx context.Context) (string, error) {
	pid, ok := in.runningPID()
	if !ok {
		return "", errors.New("not running")
	}
	if err := in.ready(ctx); err != nil {
		return "", fmt.Errorf("process %d runs but does not answer: %w", pid, err)
	}
	return fmt.Sprintf("running (pid %d): native %s:%d, http %s; restarted %d times", pid, in.ListenHost, in.TCPPort, in.httpAddr(), in.Restarts()), nil
}

// ready runs a query over HTTP; the native port opens in the same statement.
func (in Instance) ready(ctx context.Context) error {
	return in.query(ctx, "SELECT 1")
}

func (in Instance) query(ctx context.Context, sql string) error {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, "http://"+in.httpAddr()+"/", strings.NewReader(sql))
	// No keep-alive: the engine waits for open connections when it stops.
	req.Close = true
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("engine answered %d: %s", resp.StatusCode, strings.TrimSpace(string(body)))
	}
	return nil
}

func (in Instance) runningPID() (int, bool) {
	pid, ok := readPID(in.pidFile())
	return pid, ok && alive(pid)
}

func readPID(path string) (int, bool) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, false
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	return pid, err == nil
}

func alive(pid int) bool {
	// A zombie still accepts signal 0; /proc tells them apart.
	if b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid)); err == nil {
		if f := strings.Fields(string(b)); len(f) > 2 && f[2] == "Z" {
			return false
		}
	}
	return syscall.Kill(pid, 0) == nil
}

func portFree(host string, port int) error {
	l, err := net.Listen("tcp", net.JoinHostPort(host, strconv.Itoa(port)))
	if err != nil {
		return fmt.Errorf("port %d on %s is taken by another process (%v): stop it, choose other ports, or set CLICKHOUSE_ENDPOINT to use your own server", port, host, err)
	}
	return l.Close()
}

func tail(path string, n int) string {
	b, _ := os.ReadFile(path)
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
