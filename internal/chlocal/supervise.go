package chlocal

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// The engine aborts now and then when a client dies mid-query (a native
// protocol handler calls abort(); HTTP clients do not trigger it). Whatever
// the cause, a local engine that stays down stops `make run` and the tests,
// so a supervisor runs it: an abnormal exit is logged with its cause and
// the engine is restarted, with back-off; the data directory is kept.

func (in Instance) enginePIDFile() string { return filepath.Join(in.StateDir, "engine.pid") }
func (in Instance) restartsFile() string  { return filepath.Join(in.StateDir, "restarts") }

// Restarts is how many times the supervisor restarted the engine since `up`.
func (in Instance) Restarts() int {
	b, _ := os.ReadFile(in.restartsFile())
	n, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	return n
}

// args are the flags that name this instance, for the re-executed commands.
func (in Instance) args() []string {
	return []string{"--lib", in.Library, "--dir", in.StateDir, "--host", in.ListenHost,
		"--tcp-port", strconv.Itoa(in.TCPPort), "--http-port", strconv.Itoa(in.HTTPPort)}
}

// Back-off between restarts: doubling from minBackoff to maxBackoff, back to
// minBackoff once the engine stayed up for stableAfter.
const (
	minBackoff  = time.Second
	maxBackoff  = 30 * time.Second
	stableAfter = time.Minute
)

// Supervise runs the engine (self re-exec with "serve") until SIGTERM or
// SIGINT, restarting it whenever it exits on its own. On a stop request it
// ends the engine cleanly: the engine's own signal handlers do not end its
// serving query, so the supervisor cancels that query through the engine.
func (in Instance) Supervise(self string, logf func(format string, args ...any)) error {
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
	backoff := minBackoff
	for {
		cmd := exec.Command(self, append([]string{"serve"}, in.args()...)...)
		cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
		if err := cmd.Start(); err != nil {
			return fmt.Errorf("start engine: %w", err)
		}
		_ = os.WriteFile(in.enginePIDFile(), []byte(strconv.Itoa(cmd.Process.Pid)), 0o644)
		started := time.Now()
		exited := make(chan error, 1)
		go func() { exited <- cmd.Wait() }()
		select {
		case <-stop:
			in.stopEngine(cmd, exited)
			_ = os.Remove(in.enginePIDFile())
			return nil
		case err := <-exited:
			if time.Since(started) >= stableAfter {
				backoff = minBackoff
			}
			n := in.Restarts() + 1
			_ = os.WriteFile(in.restartsFile(), []byte(strconv.Itoa(n)), 0o644)
			logf("agora-clickhouse: engine exited on its own (%s) after %s; restart %d in %s",
				exitCause(err), time.Since(started).Round(time.Second), n, backoff)
			select {
			case <-stop:
				_ = os.Remove(in.enginePIDFile())
				return nil
			case <-time.After(backoff):
			}
			backoff = min(2*backoff, maxBackoff)
		}
	}
}

// stopEngine cancels the serving query, then falls back to SIGTERM and SIGKILL.
func (in Instance) stopEngine(cmd *exec.Cmd, exited <-chan error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := in.query(ctx, stopQuery); err != nil {
		_ = cmd.Process.Signal(syscall.SIGTERM)
	}
	select {
	case <-exited:
	case <-time.After(20 * time.Second):
		_ = cmd.Process.Kill()
		<-exited
	}
}

// exitCause says how the engine ended: the signal (SIGABRT is its abort),
// or its exit status.
func exitCause(err error) string {
	if ee, ok := err.(*exec.ExitError); ok {
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return "signal " + ws.Signal().String()
		}
		return fmt.Sprintf("exit status %d", ee.ExitCode())
	}
	if err == nil {
		return "exit status 0"
	}
	return err.Error()
}
