package benchcompare

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/agora-otelcol/agora-otelcol/internal/chclient"
	"github.com/agora-otelcol/agora-otelcol/internal/loadgen"
	"github.com/agora-otelcol/agora-otelcol/internal/procstat"
)

// Options of a comparison run.
type Options struct {
	AgoraBin, AgoraConfig string
	ContribBin            string
	// ContribConfigs by name: "batch" (batch processor, memory queue) and
	// "persistent" (file_storage queue).
	ContribConfigs map[string]string
	// ClickHouse is the engine's native endpoint (tcp://…), EngineDir its
	// state directory (for its pid).
	ClickHouse, EngineDir string
	// OTLPExecutions of 14 spans each; APIExecutions of 50 nodes each.
	OTLPExecutions, APIExecutions int
	Rounds                        int
	WorkDir                       string
	Log                           io.Writer
}

// Result is one target's run.
type Result struct {
	Name         string
	Kind         string // "spans" or "node items"
	Items        int64
	CollectorCPU float64 // seconds
	EngineCPU    float64 // seconds, while the load ran
	// EngineSettled adds the merges the load's parts started until the
	// engine runs none: the part of its cost that comes after the window.
	EngineSettled float64 // seconds
	// Parts is the active parts the target's tables of data hold once
	// settled (not agora-otelcol's schema_* bookkeeping): what merging less
	// leaves for queries to read.
	Parts        uint64
	Wall         time.Duration
	PeakRSS      int64
	FreshP99     time.Duration // API only: an SDK call visible in the UI API
	FreshSamples int
}

// PerCollectorCPU is items per second of collector CPU.
func (r Result) PerCollectorCPU() float64 { return float64(r.Items) / r.CollectorCPU }

// EngineMicrosPerItem is ClickHouse CPU per item, in µs.
func (r Result) EngineMicrosPerItem() float64 { return r.EngineCPU / float64(r.Items) * 1e6 }

// SettledMicrosPerItem is ClickHouse CPU per item with the merges that
// followed, in µs.
func (r Result) SettledMicrosPerItem() float64 { return r.EngineSettled / float64(r.Items) * 1e6 }

// target is one collector setup under test.
type target struct {
	name, bin string
	args      []string
	agora     bool
	table     string // where its spans land
}

// Run measures every target once per round and returns the results in
// the order they ran: per round the OTLP targets, each round starting one
// further along (contrib batch, contrib persistent, agora OTLP in the
// first), so no target always runs on the engine the same one left behind;
// then the Agora API load.
func Run(ctx context.Context, o Options) ([]Result, error) {
	conn, err := open(ctx, o.ClickHouse)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	enginePid, err := enginePID(o.EngineDir)
	if err != nil {
		return nil, err
	}
	targets := []target{}
	for _, name := range []string{"batch", "persistent"} {
		if cfg := o.ContribConfigs[name]; cfg != "" {
			targets = append(targets, target{name: "contrib " + name, bin: o.ContribBin, args: []string{"--config", cfg}, table: "otel_traces"})
		}
	}
	targets = append(targets, target{name: "agora-otelcol", bin: o.AgoraBin, args: []string{"--config", o.AgoraConfig}, agora: true, table: "spans"})
	var out []Result
	for round := range o.Rounds {
		for k := range targets {
			i := (k + round) % len(targets)
			t := targets[i]
			db := fmt.Sprintf("bench_%d_%d_%d", time.Now().Unix()%100000, round, i)
			r, err := runOTLP(ctx, o, conn, enginePid, t, db)
			if err != nil {
				return out, fmt.Errorf("%s: %w", t.name, err)
			}
			o.logf("round %d %-20s %d spans, collector %.1fs CPU, engine %.1fs CPU (%.1fs with its merges, %d parts left), %s, peak RSS %d MB",
				round+1, t.name, r.Items, r.CollectorCPU, r.EngineCPU, r.EngineSettled, r.Parts, r.Wall.Round(10*time.Millisecond), r.PeakRSS>>20)
			out = append(out, r)
		}
		t := targets[len(targets)-1] // agora-otelcol
		r, err := runAPI(ctx, o, conn, enginePid, t, fmt.Sprintf("bench_api_%d_%d", time.Now().Unix()%100000, round))
		if err != nil {
			return out, fmt.Errorf("agora API: %w", err)
		}
		o.logf("round %d %-20s %d node items, collector %.1fs CPU, %s, peak RSS %d MB, fresh p99 %s (%d probes)",
			round+1, r.Name, r.Items, r.CollectorCPU, r.Wall.Round(10*time.Millisecond), r.PeakRSS>>20, r.FreshP99, r.FreshSamples)
		out = append(out, r)
	}
	return out, nil
}

func (o Options) logf(format string, args ...any) {
	if o.Log != nil {
		fmt.Fprintf(o.Log, format+"\n", args...)
	}
}

func open(ctx context.Context, endpoint string) (driver.Conn, error) {
	cfg := chclient.NewDefaultConfig()
	cfg.Endpoint = endpoint
	opts, err := cfg.Options(ctx)
	if err != nil {
		return nil, err
	}
	return clickhouse.Open(opts)
}

// measure starts the target's collector on database db, runs body (the
// load, until every row arrived) and returns what it cost: collector and
// engine CPU, wall time, the collector's peak RSS.
func measure(ctx context.Context, o Options, conn driver.Conn, enginePid int, t target, db string, body func(c *collector) (int64, error)) (Result, error) {
	settle(ctx, conn)
	c, err := start(ctx, t.bin, t.args, []string{"CLICKHOUSE_ENDPOINT=" + o.ClickHouse, "CLICKHOUSE_DATABASE=" + db}, workDir(o, db), t.agora)
	if err != nil {
		return Result{}, err
	}
	defer c.stop()
	cpu := func() (collector, engine float64, err error) {
		if collector, err = procstat.CPUSeconds(c.pid()); err != nil {
			return 0, 0, err
		}
		engine, err = procstat.CPUSeconds(enginePid)
		return collector, engine, err
	}
	cpu0, eng0, err := cpu()
	if err != nil {
		return Result{}, err
	}
	began := time.Now()
	items, err := body(c)
	if err != nil {
		return Result{}, err
	}
	wall := time.Since(began)
	cpu1, eng1, err := cpu()
	if err != nil {
		return Result{}, err
	}
	rss, err := procstat.PeakRSS(c.pid())
	if err != nil {
		return Result{}, err
	}
	settle(ctx, conn)
	eng2, err := procstat.CPUSeconds(enginePid)
	if err != nil {
		return Result{}, err
	}
	var parts uint64
	if err := conn.QueryRow(ctx, "SELECT count() FROM system.parts WHERE database = ? AND active AND NOT startsWith(table, 'schema_')", db).Scan(&parts); err != nil {
		return Result{}, err
	}
	return Result{Name: t.name, Items: items, CollectorCPU: cpu1 - cpu0, EngineCPU: eng1 - eng0, EngineSettled: eng2 - eng0, Parts: parts, Wall: wall, PeakRSS: rss}, nil
}

// runOTLP sends agora_tracer-shaped executions (14 spans each) over
// OTLP/HTTP; every span must arrive, and for agora-otelcol every
// execution's record too.
func runOTLP(ctx context.Context, o Options, conn driver.Conn, enginePid int, t target, db string) (Result, error) {
	r, err := measure(ctx, o, conn, enginePid, t, db, func(c *collector) (int64, error) {
		load := loadgen.New(loadgen.Target{OTLP: "http://" + c.otlp, Keys: []string{c.key}},
			loadgen.Config{Shape: "otlp", Clients: 4, Runs: o.OTLPExecutions, PerRequest: 50})
		load.Run(ctx)
		_, _, execs, spans := load.Acked.Counts()
		if err := waitCount(ctx, conn, fmt.Sprintf("SELECT count() FROM `%s`.%s", db, t.table), int64(spans)); err != nil {
			return 0, err
		}
		if t.agora {
			if err := waitCount(ctx, conn, fmt.Sprintf("SELECT count() FROM `%s`.executions FINAL WHERE Status != 'running'", db), int64(execs)); err != nil {
				return 0, fmt.Errorf("execution records: %w", err)
			}
		}
		return int64(spans), nil
	})
	r.Kind = "spans"
	return r, err
}

// runAPI sends the Agora SDK's shape (start, one 50-node batch, complete)
// and, meanwhile, probes how soon an SDK call is visible in the UI's API.
func runAPI(ctx context.Context, o Options, conn driver.Conn, enginePid int, t target, db string) (Result, error) {
	var fresh []time.Duration
	r, err := measure(ctx, o, conn, enginePid, t, db, func(c *collector) (int64, error) {
		load := loadgen.New(loadgen.Target{API: "http://" + c.api, Keys: []string{c.key}},
			loadgen.Config{Shape: "api", Clients: 4, Runs: o.APIExecutions, Nodes: 50})
		probeCtx, stopProbe := context.WithCancel(ctx)
		var probing sync.WaitGroup
		probing.Go(func() { fresh = probe(probeCtx, c) })
		load.Run(ctx)
		stopProbe()
		probing.Wait()
		_, nodes, _, _ := load.Acked.Counts()
		return int64(nodes), waitCount(ctx, conn, fmt.Sprintf("SELECT count() FROM `%s`.node_executions FINAL WHERE NodeName NOT LIKE 'probe%%'", db), int64(nodes))
	})
	r.Name, r.Kind, r.FreshSamples = "agora-otelcol API", "node items", len(fresh)
	if len(fresh) > 0 {
		slices.Sort(fresh)
		r.FreshP99 = fresh[min(len(fresh)-1, len(fresh)*99/100)]
	}
	return r, err
}

// probe reports a node of one execution every 250 ms and times how long
// until the UI's API lists it: what a user watching the page waits.
func probe(ctx context.Context, c *collector) []time.Duration {
	call := func(method, url string, body any) (map[string]any, error) {
		b, _ := json.Marshal(body)
		req, err := http.NewRequestWithContext(ctx, method, url, bytes.NewReader(b))
		if err != nil {
			return nil, err
		}
		req.Header.Set("X-API-Key", c.key)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return nil, err
		}
		defer resp.Body.Close()
		var out map[string]any
		if resp.StatusCode != http.StatusOK {
			return nil, fmt.Errorf("%s %s: %d", method, url, resp.StatusCode)
		}
		return out, json.NewDecoder(resp.Body).Decode(&out)
	}
	started, err := call(http.MethodPost, "http://"+c.api+"/telemetry/executions/start", map[string]any{"workflow_name": "probe", "project_name": "bench"})
	if err != nil {
		return nil
	}
	exec, _ := started["execution_id"].(string)
	var out []time.Duration
	for i := 0; ctx.Err() == nil; i++ {
		name := fmt.Sprintf("probe%d", i)
		sent := time.Now()
		if _, err := call(http.MethodPost, "http://"+c.api+"/telemetry/executions/"+exec+"/nodes", map[string]any{
			"node_name": name, "node_type": "Probe", "status": "success", "started_at": sent.UTC().Format("2006-01-02T15:04:05.000000"),
		}); err != nil {
			continue
		}
		for ctx.Err() == nil {
			d, err := call(http.MethodGet, "http://"+c.ui+"/api/executions/"+exec, nil)
			if err == nil && strings.Contains(fmt.Sprint(d["nodes"]), name) {
				out = append(out, time.Since(sent))
				break
			}
			time.Sleep(50 * time.Millisecond)
		}
		time.Sleep(250 * time.Millisecond)
	}
	return out
}

func workDir(o Options, db string) string {
	d := filepath.Join(o.WorkDir, db)
	_ = os.MkdirAll(d, 0o755)
	return d
}

// settle waits (up to a minute) until the engine runs no merge, three
// looks in a row: the merges of the previous target's rows must not count
// as this target's engine CPU.
func settle(ctx context.Context, conn driver.Conn) {
	quiet := 0
	for deadline := time.Now().Add(time.Minute); quiet < 3 && time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		var n uint64
		if err := conn.QueryRow(ctx, "SELECT count() FROM system.merges").Scan(&n); err == nil && n == 0 {
			quiet++
		} else {
			quiet = 0
		}
	}
}

// waitCount polls until the query counts want rows (more is an error:
// something was stored twice), within two minutes.
func waitCount(ctx context.Context, conn driver.Conn, query string, want int64) error {
	var got uint64
	for deadline := time.Now().Add(2 * time.Minute); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if err := conn.QueryRow(ctx, query).Scan(&got); err != nil {
			continue // the table may not exist yet
		}
		if int64(got) >= want {
			break
		}
	}
	if int64(got) != want {
		return fmt.Errorf("%s: %d rows, want %d", query, got, want)
	}
	return nil
}
