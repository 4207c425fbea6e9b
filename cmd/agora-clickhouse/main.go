// Command agora-clickhouse runs the local ClickHouse engine (libchdb.so from
// the npm package @chdb/lib-linux-x64-gnu) for development, tests and CI.
//
//	agora-clickhouse up|down|status|serve|supervise [flags]
//
// up starts a supervisor in the background that runs the engine and
// restarts it if it dies; down stops both; status reports them.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/agora-otelcol/agora-otelcol/internal/chlocal"
)

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	cmd := os.Args[1]
	fs := flag.NewFlagSet(cmd, flag.ExitOnError)
	var in chlocal.Instance
	fs.StringVar(&in.Library, "lib", ".local/engine/libchdb.so", "path of libchdb.so")
	fs.StringVar(&in.StateDir, "dir", ".local/clickhouse", "state directory (data/, pid file, log)")
	fs.StringVar(&in.ListenHost, "host", "127.0.0.1", "listen address")
	fs.IntVar(&in.TCPPort, "tcp-port", 9000, "native protocol port")
	fs.IntVar(&in.HTTPPort, "http-port", 8123, "HTTP port")
	wait := fs.Duration("wait", 90*time.Second, "how long up waits for readiness")
	_ = fs.Parse(os.Args[2:])

	ctx := context.Background()
	if cmd != "supervise" && cmd != "serve" {
		var stop context.CancelFunc
		ctx, stop = signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
		defer stop()
	}
	var err error
	switch cmd {
	case "serve":
		err = chlocal.Serve(in.ServeConfig())
	case "supervise":
		self, _ := os.Executable()
		err = in.Supervise(self, func(format string, args ...any) {
			fmt.Fprintf(os.Stderr, time.Now().UTC().Format(time.RFC3339)+" "+format+"\n", args...)
		})
	case "up":
		self, _ := os.Executable()
		if err = in.Up(ctx, self, *wait); err == nil {
			fmt.Printf("ClickHouse engine ready: native tcp://%s:%d, http://%s:%d (log %s)\n", in.ListenHost, in.TCPPort, in.ListenHost, in.HTTPPort, in.LogFile())
		}
	case "down":
		err = in.Down(ctx, 30*time.Second)
	case "status":
		var s string
		if s, err = in.Status(ctx); err == nil {
			fmt.Println(s)
		}
	default:
		usage()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "agora-clickhouse "+cmd+":", err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: agora-clickhouse up|down|status|serve|supervise [--lib F] [--dir D] [--host H] [--tcp-port N] [--http-port N]")
	os.Exit(2)
}
