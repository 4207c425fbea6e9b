// Package chlocal runs the ClickHouse engine shipped as libchdb.so as a local
// server (native + HTTP), and manages it as a background process for
// development, tests and CI. Production users point at their own server.
package chlocal

import (
	"errors"
	"fmt"
	"os"
	"runtime"

	"github.com/ebitengine/purego"
)

// ServeConfig is what the engine needs to serve.
type ServeConfig struct {
	// Library is the path of libchdb.so.
	Library string
	// DataDir holds databases and tables; it survives restarts.
	DataDir string
	// ListenHost is the address both protocols bind to.
	ListenHost string
	// TCPPort is the native protocol port.
	TCPPort int
	// HTTPPort is the HTTP interface port.
	HTTPPort int
}

// ErrNoLibrary means the engine package has not been installed.
var ErrNoLibrary = errors.New("ClickHouse engine library not found (run `make engine` to install it)")

// serveQuery turns on the listeners, then blocks: clickhouse-local serves
// only while a query runs, so the last statement never ends on its own.
// sleepEachRow over an endless numbers() costs no CPU and one row per second.
const serveQuery = "SYSTEM START LISTEN TCP; SYSTEM START LISTEN HTTP; " +
	"SELECT sleepEachRow(1) FROM system.numbers SETTINGS max_block_size = 1 FORMAT Null"

// Serve loads the engine and serves until the process is ended. It returns
// only on a load error or if the engine's query stops.
func Serve(cfg ServeConfig) error {
	if _, err := os.Stat(cfg.Library); err != nil {
		return fmt.Errorf("%w: %s", ErrNoLibrary, cfg.Library)
	}
	if err := os.MkdirAll(cfg.DataDir, 0o755); err != nil {
		return fmt.Errorf("create data dir: %w", err)
	}
	lib, err := purego.Dlopen(cfg.Library, purego.RTLD_NOW|purego.RTLD_GLOBAL)
	if err != nil {
		return fmt.Errorf("load %s: %w", cfg.Library, err)
	}
	var queryStableV2 func(argc int32, argv **byte) uintptr
	purego.RegisterLibFunc(&queryStableV2, lib, "query_stable_v2")

	args := []string{
		"clickhouse", // argv[0]: the engine skips it, as main() would.
		"--path=" + cfg.DataDir,
		fmt.Sprintf("--tcp_port=%d", cfg.TCPPort),
		fmt.Sprintf("--http_port=%d", cfg.HTTPPort),
		"--listen_host=" + cfg.ListenHost,
		"--multiquery",
		"--query=" + serveQuery,
	}
	argv := make([]*byte, len(args)+1)
	keep := make([][]byte, len(args))
	for i, a := range args {
		keep[i] = append([]byte(a), 0)
		argv[i] = &keep[i][0]
	}
	runtime.LockOSThread()
	queryStableV2(int32(len(args)), &argv[0])
	runtime.KeepAlive(keep)
	return errors.New("ClickHouse engine stopped serving")
}
