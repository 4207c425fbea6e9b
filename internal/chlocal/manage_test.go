//go:build integration

package chlocal

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/agora-otelcol/agora-otelcol/internal/testutil"
)

// fromEnv returns a path the Makefile exports, or the repo default; a test
// that needs it fails when it is missing.
func fromEnv(t *testing.T, key, def string) string {
	t.Helper()
	p := os.Getenv(key)
	if p == "" {
		p, _ = filepath.Abs(def)
	}
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("%s (%s) not found: run tests with `make test`", key, p)
	}
	return p
}

func instance(t *testing.T, lib string) Instance {
	return Instance{Library: lib, StateDir: t.TempDir(), ListenHost: "127.0.0.1", TCPPort: testutil.FreePort(t), HTTPPort: testutil.FreePort(t)}
}

func TestUpWithoutLibrary(t *testing.T) {
	in := instance(t, filepath.Join(t.TempDir(), "libchdb.so"))
	err := in.Up(context.Background(), "unused", time.Second)
	require.ErrorIs(t, err, ErrNoLibrary)
	assert.ErrorContains(t, err, "make engine")
}

func TestUpPortTaken(t *testing.T) {
	lib := fromEnv(t, "AGORA_ENGINE_LIB", "../../.local/engine/libchdb.so")
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer l.Close()
	in := instance(t, lib)
	in.TCPPort = l.Addr().(*net.TCPAddr).Port

	err = in.Up(context.Background(), "unused", time.Second)
	require.Error(t, err)
	assert.ErrorContains(t, err, "port "+strconv.Itoa(in.TCPPort)+" on 127.0.0.1 is taken")
}

// TestUpDownKeepsData runs the real engine twice on one state directory.
func TestUpDownKeepsData(t *testing.T) {
	lib := fromEnv(t, "AGORA_ENGINE_LIB", "../../.local/engine/libchdb.so")
	self := fromEnv(t, "AGORA_CLICKHOUSE_BIN", "../../bin/agora-clickhouse")
	in := instance(t, lib)
	ctx := context.Background()
	t.Cleanup(func() { _ = in.Down(ctx, 10*time.Second) })

	require.NoError(t, in.Up(ctx, self, 60*time.Second))
	require.NoError(t, in.Up(ctx, self, 60*time.Second), "up is a no-op when already running")
	status, err := in.Status(ctx)
	require.NoError(t, err)
	assert.Contains(t, status, "running")
	require.NoError(t, in.query(ctx, "CREATE TABLE default.kept (a UInt8) ENGINE = MergeTree ORDER BY a"))
	require.NoError(t, in.query(ctx, "INSERT INTO default.kept VALUES (7)"))

	pid, _ := in.runningPID()
	require.NoError(t, in.Down(ctx, 10*time.Second))
	assert.False(t, alive(pid), "down waits for the process to exit")
	_, err = in.Status(ctx)
	require.Error(t, err)

	require.NoError(t, in.Up(ctx, self, 60*time.Second))
	require.NoError(t, in.query(ctx, "SELECT throwIf(sum(a) != 7) FROM default.kept"), "rows survive a restart")
	require.NoError(t, in.Down(ctx, 10*time.Second))
}

// TestSupervisorRestartsAbortedEngine: the engine aborts (as it does when a
// native-protocol client dies mid-insert); the supervisor restarts it, the
// data survives, and status counts the restart.
func TestSupervisorRestartsAbortedEngine(t *testing.T) {
	lib := fromEnv(t, "AGORA_ENGINE_LIB", "../../.local/engine/libchdb.so")
	self := fromEnv(t, "AGORA_CLICKHOUSE_BIN", "../../bin/agora-clickhouse")
	in := instance(t, lib)
	ctx := context.Background()
	t.Cleanup(func() { _ = in.Down(ctx, 10*time.Second) })
	require.NoError(t, in.Up(ctx, self, 60*time.Second))
	require.NoError(t, in.query(ctx, "CREATE TABLE default.kept (a UInt8) ENGINE = MergeTree ORDER BY a"))
	require.NoError(t, in.query(ctx, "INSERT INTO default.kept VALUES (7)"))

	// test: the engine dies of SIGABRT
	engine, ok := readPID(in.enginePIDFile())
	require.True(t, ok)
	require.NoError(t, syscall.Kill(engine, syscall.SIGABRT))

	// verify
	require.Eventually(t, func() bool {
		now, ok := readPID(in.enginePIDFile())
		return ok && now != engine && in.ready(ctx) == nil
	}, 60*time.Second, 200*time.Millisecond, "a new engine answers")
	assert.Equal(t, 1, in.Restarts())
	assert.Contains(t, tail(in.LogFile(), 50), "engine exited on its own (signal aborted)")
	require.NoError(t, in.query(ctx, "SELECT throwIf(sum(a) != 7) FROM default.kept"), "rows survive the restart")
	status, err := in.Status(ctx)
	require.NoError(t, err)
	assert.Contains(t, status, "restarted 1 times")

	supervisor, _ := in.runningPID()
	now, _ := readPID(in.enginePIDFile())
	require.NoError(t, in.Down(ctx, 10*time.Second))
	assert.False(t, alive(supervisor), "down stops the supervisor")
	assert.False(t, alive(now), "and the engine")
}
