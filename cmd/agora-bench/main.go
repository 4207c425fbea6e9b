// Command agora-bench compares agora-otelcol with contrib's ClickHouse
// exporter on one generated load against one ClickHouse engine, and
// prints the ratio table (make bench-compare runs it).
//
//	agora-bench --agora bin/agora-otelcol --contrib bench/contrib/_build/otelcol-contrib-ch \
//	  --clickhouse tcp://127.0.0.1:39000 --engine-dir .local/clickhouse-bench [--executions 40000] [--api-executions 4000] [--rounds 2]
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"

	"github.com/agora-otelcol/agora-otelcol/internal/benchcompare"
)

func main() {
	var o benchcompare.Options
	var batch, persistent, out string
	flag.StringVar(&o.AgoraBin, "agora", "bin/agora-otelcol", "agora-otelcol binary")
	flag.StringVar(&o.AgoraConfig, "agora-config", "config/local.yaml", "agora-otelcol config")
	flag.StringVar(&o.ContribBin, "contrib", "bench/contrib/_build/otelcol-contrib-ch", "contrib collector binary (empty: skip contrib)")
	flag.StringVar(&batch, "contrib-batch", "bench/contrib/batch.yaml", "contrib config: batch processor, memory queue")
	flag.StringVar(&persistent, "contrib-persistent", "bench/contrib/persistent.yaml", "contrib config: persistent queue")
	flag.StringVar(&o.ClickHouse, "clickhouse", "tcp://127.0.0.1:39000", "the engine's native endpoint")
	flag.StringVar(&o.EngineDir, "engine-dir", ".local/clickhouse-bench", "the engine's state directory (for its pid)")
	flag.IntVar(&o.OTLPExecutions, "executions", 40000, "OTLP executions (14 spans each)")
	flag.IntVar(&o.APIExecutions, "api-executions", 4000, "Agora API executions (start, 50-node batch, complete)")
	flag.IntVar(&o.Rounds, "rounds", 2, "rounds (the table shows medians)")
	flag.StringVar(&out, "out", "", "also write the table to this file")
	flag.Parse()
	if o.ContribBin != "" {
		o.ContribConfigs = map[string]string{"batch": batch, "persistent": persistent}
	}
	var err error
	if o.WorkDir, err = os.MkdirTemp("", "agora-bench-"); err != nil {
		fail(err)
	}
	defer os.RemoveAll(o.WorkDir)
	o.Log = os.Stderr
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	results, err := benchcompare.Run(ctx, o)
	if err != nil {
		fail(err)
	}
	table := benchcompare.Report(results)
	fmt.Print(table)
	if out != "" {
		if err := os.WriteFile(out, []byte(table), 0o644); err != nil {
			fail(err)
		}
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "agora-bench:", err)
	os.Exit(1)
}
