// Command agora-load sends Agora workloads to a collector: the Agora SDK's
// uploads (start, a batch of node executions, complete) and agora_tracer
// spans over OTLP/HTTP, and prints what was acknowledged.
//
//	agora-load --api http://127.0.0.1:8000 --otlp http://127.0.0.1:4318 --keys agora_… [--shape both] [--runs 4000] [--duration 60s]
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/agora-otelcol/agora-otelcol/internal/loadgen"
)

func main() {
	var t loadgen.Target
	var c loadgen.Config
	var keys string
	flag.StringVar(&t.API, "api", "http://127.0.0.1:8000", "Agora API base URL")
	flag.StringVar(&t.OTLP, "otlp", "http://127.0.0.1:4318", "OTLP/HTTP base URL")
	flag.StringVar(&keys, "keys", os.Getenv("AGORA_API_KEY"), "API keys, comma-separated (clients use them in turn)")
	flag.StringVar(&c.Shape, "shape", "both", "api, otlp or both")
	flag.IntVar(&c.Clients, "clients", 4, "concurrent senders")
	flag.IntVar(&c.Runs, "runs", 0, "executions to send (0: until --duration)")
	flag.IntVar(&c.Nodes, "nodes", 0, "nodes per execution (default 50 api, 3 otlp)")
	flag.IntVar(&c.PerRequest, "per-request", 50, "executions per OTLP request")
	duration := flag.Duration("duration", time.Minute, "how long to send when --runs is 0")
	flag.Parse()
	t.Keys = strings.Split(keys, ",")
	if keys == "" || c.Shape != "api" && c.Shape != "otlp" && c.Shape != "both" {
		flag.Usage()
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if c.Runs == 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, *duration)
		defer cancel()
	}
	l := loadgen.New(t, c)
	start := time.Now()
	l.Run(ctx)
	apiExecs, apiNodes, otlpExecs, otlpSpans := l.Acked.Counts()
	out, _ := json.Marshal(map[string]any{
		"seconds": time.Since(start).Seconds(), "api_executions": apiExecs, "api_node_items": apiNodes,
		"otlp_executions": otlpExecs, "otlp_spans": otlpSpans, "requests": l.Stats.Requests.Load(), "retries": l.Stats.Retries.Load(),
	})
	fmt.Println(string(out))
}
