//go:build integration

package e2e

// The chaos suite: real processes, a real engine, loopback only, bounded in
// time. Each scenario fails on any loss and records its figures for the
// README's Reliability section (test-output/reliability.txt).

import (
	"context"
	"math/rand/v2"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/agora-otelcol/agora-otelcol/internal/apikey"
	"github.com/agora-otelcol/agora-otelcol/internal/chtest"
	"github.com/agora-otelcol/agora-otelcol/internal/loadgen"
)

// chaosSetup is a collector on its own engine with two orgs' keys, and a
// load of both shapes against it.
type chaosSetup struct {
	engine *chtest.Engine
	c      *collector
	db     string
	orgOf  map[string]apikey.Key
	load   *loadgen.Client
}

func newChaos(t *testing.T, env []string, args []string, cfg loadgen.Config) *chaosSetup {
	t.Helper()
	engine := chtest.StartEngine(t)
	conn := chtest.ConnTo(t, engine.Native())
	s := &chaosSetup{engine: engine, db: chtest.NewDatabase(t, conn), orgOf: map[string]apikey.Key{}}
	s.c = startCollectorWith(t, options{db: s.db, clickhouse: engine.HTTP(), env: env, args: args})
	keyA, orgA := s.c.newKey(t, "acme", 0)
	keyB, orgB := s.c.newKey(t, "globex", 0)
	s.orgOf[keyA], s.orgOf[keyB] = orgA, orgB
	s.load = loadgen.New(loadgen.Target{API: "http://" + s.c.api, OTLP: "http://" + s.c.http, Keys: []string{keyA, keyB}}, cfg)
	return s
}

// moderate is the load of the scenarios: both shapes, 4 clients, SDK-sized
// API runs (50 nodes) and OTLP requests of 10 executions, paced.
var moderate = loadgen.Config{Shape: "both", Clients: 4, PerRequest: 10, Pause: 20 * time.Millisecond}

func (s *chaosSetup) verify(t *testing.T, name string, timeout time.Duration) (lossReport, time.Duration) {
	t.Helper()
	r, took := waitStored(t, chtest.ConnTo(t, s.engine.Native()), s.db, s.orgOf, s.load.Acked, timeout)
	assert.True(t, r.clean(), "%s: %s; first: %s", name, r, r.firstProblem)
	assert.Positive(t, r.apiExecs+r.otlpExecs, "%s: the load was acknowledged at all", name)
	return r, took
}

// TestChaosKill9: the collector is killed with SIGKILL every 2-4 s for a
// minute under load, and restarted each time; every acknowledged item is
// stored once and every execution record is complete. The engine stays up
// (its supervisor would restart it; the restarts are counted).
func TestChaosKill9(t *testing.T) {
	killUnderLoad(t, "kill -9 (60 s)", nil, 60*time.Second)
}

// TestChaosKill9Fsync: the same with AGORA_FSYNC=true, the setting for
// power loss: syncing every write keeps the same guarantee under kill -9.
func TestChaosKill9Fsync(t *testing.T) {
	killUnderLoad(t, "kill -9, fsync (15 s)", []string{"AGORA_FSYNC=true"}, 15*time.Second)
}

func killUnderLoad(t *testing.T, name string, env []string, d time.Duration) {
	s := newChaos(t, env, nil, moderate)
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	done := make(chan struct{})
	go func() { s.load.Run(ctx); close(done) }()
	kills, engineDown := 0, 0
	for ctx.Err() == nil {
		time.Sleep(time.Duration(2000+rand.IntN(2000)) * time.Millisecond)
		s.c.kill()
		kills++
		if code, _ := getStatus(s.engine.HTTP() + "/ping"); code != http.StatusOK {
			engineDown++
		}
		s.c.launch(t)
	}
	<-done
	r, took := s.verify(t, name, 2*time.Minute)
	restarts := s.engine.Status()
	assert.Zero(t, engineDown, "the engine answered after every kill")
	figure(t, name, "%d kills; %s; all stored %.0fs after the load; engine: %s",
		kills, r, took.Seconds(), restarts[strings.Index(restarts, "restarted"):])
}

// TestChaosOutage: the engine is stopped for 20 s under load (any outage:
// retries never give up), then started again: nothing is lost, nothing is
// stored twice, the collector never restarts; health shows the outage
// within 10 s and clears within 10 s of recovery; readiness stays ready
// (the queue buffers it all).
//
// Retry intervals are scaled down 100× from exporterhelper's defaults (5 s
// growing to 30 s), so the old 5 m max_elapsed_time becomes 3 s: the 20 s
// outage is several times longer than what used to drop data.
func TestChaosOutage(t *testing.T) {
	s := newChaos(t, nil, []string{
		"--set=exporters::agora_clickhouse::retry_on_failure::initial_interval=50ms",
		"--set=exporters::agora_clickhouse::retry_on_failure::max_interval=300ms",
	}, moderate)
	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
	defer cancel()
	done := make(chan struct{})
	go func() { s.load.Run(ctx); close(done) }()
	status := "http://" + s.c.health + "/status?verbose"
	time.Sleep(5 * time.Second)

	s.engine.Down()
	down := time.Now()
	var shown, notReady time.Duration
	for time.Since(down) < 20*time.Second {
		if _, body := getStatus(status); shown == 0 && componentStatus(body, "exporter:agora_clickhouse") == "StatusRecoverableError" {
			shown = time.Since(down)
		}
		if code, _ := getStatus("http://" + s.c.ready + "/ready"); code != http.StatusOK {
			notReady++
		}
		time.Sleep(250 * time.Millisecond)
	}
	s.engine.Up()
	up := time.Now()
	var cleared time.Duration
	for time.Since(up) < 20*time.Second && cleared == 0 {
		if _, body := getStatus(status); componentStatus(body, "exporter:agora_clickhouse") == "StatusOK" {
			cleared = time.Since(up)
		}
		time.Sleep(250 * time.Millisecond)
	}
	<-done
	r, took := s.verify(t, "outage", 2*time.Minute)
	select {
	case err := <-s.c.exited:
		t.Errorf("the collector exited during the outage: %v", err)
	default:
	}
	assert.Positive(t, shown, "health showed ClickHouse unreachable")
	assert.LessOrEqual(t, shown, 10*time.Second)
	assert.Positive(t, cleared, "health cleared")
	assert.LessOrEqual(t, cleared, 10*time.Second)
	assert.Zero(t, notReady, "ready throughout: the queue buffered the outage")
	figure(t, "ClickHouse down 20 s", "(≈ 6.7× the old 5 m limit, retry intervals scaled 1/100) %s; health showed it after %.1fs, cleared %.1fs after recovery; ready throughout; all stored %.0fs after the load",
		r, shown.Seconds(), cleared.Seconds(), took.Seconds())
}

// TestChaosQueueFull: with an 8 MiB queue and ClickHouse down, the queue
// fills: senders are told to retry (503 with Retry-After), readiness turns
// not-ready; after recovery everything acknowledged is stored.
func TestChaosQueueFull(t *testing.T) {
	s := newChaos(t, []string{"AGORA_QUEUE_BYTES=8388608"}, nil, moderate)
	ctx, cancel := context.WithTimeout(context.Background(), 35*time.Second)
	defer cancel()
	done := make(chan struct{})
	s.engine.Down()
	go func() { s.load.Run(ctx); close(done) }()
	var notReady, refusedHealth int
	for range 60 {
		if code, _ := getStatus("http://" + s.c.ready + "/ready"); code == http.StatusServiceUnavailable {
			notReady++
		}
		if code, _ := getStatus("http://" + s.c.api + "/health"); code == http.StatusServiceUnavailable {
			refusedHealth++
		}
		time.Sleep(250 * time.Millisecond)
	}
	s.engine.Up()
	// Ready once the queue has drained below full: how long depends on the
	// backlog and the machine, so the wait is generous and the time shown.
	recovered := time.Now()
	var readyAgain bool
	var readyAfter time.Duration
	for range 240 {
		if code, _ := getStatus("http://" + s.c.ready + "/ready"); code == http.StatusOK {
			readyAgain, readyAfter = true, time.Since(recovered)
			break
		}
		time.Sleep(250 * time.Millisecond)
	}
	<-done
	r, took := s.verify(t, "queue full", 2*time.Minute)
	refused, withRetryAfter := s.load.Stats.Refused.Load(), s.load.Stats.RefusedWithRetryAfter.Load()
	assert.Positive(t, refused, "senders were told to retry")
	assert.Positive(t, withRetryAfter, "the Agora API said when (Retry-After)")
	assert.Positive(t, notReady, "readiness turned not-ready while full")
	assert.Positive(t, refusedHealth, "the Agora API's /health said unavailable")
	assert.True(t, readyAgain, "ready again after recovery")
	figure(t, "queue full (8 MiB)", "%d answers 503/429 (%d with Retry-After); not ready while full, ready %.1fs after recovery; %s; all stored %.0fs after the load",
		refused, withRetryAfter, readyAfter.Seconds(), r, took.Seconds())
}

// TestChaosRefusedRow: one row ClickHouse refuses (a 1985 start; the time
// window that would clamp it is off) in a batch with good rows of two orgs:
// the good rows are stored, the refused one is in dead_letters with its
// reason, and the sender got 200 for all of them.
func TestChaosRefusedRow(t *testing.T) {
	s := newChaos(t, []string{"AGORA_TIMESTAMP_FUTURE=0"}, // with the past bound, already 0 in tests
		[]string{"--config=yaml:exporters::agora_clickhouse::sending_queue::batch::flush_timeout: 3s"}, loadgen.Config{})
	keys := make([]string, 0, 2)
	for k := range s.orgOf {
		keys = append(keys, k)
	}
	now := time.Now()
	for i, key := range keys {
		good, _ := loadgen.Traces(5, 2, now)
		code, body := postHTTP(t, s.c, map[string]string{"X-API-Key": key}, good)
		require.Equal(t, http.StatusOK, code, body)
		if i == 0 {
			bad, _ := loadgen.Traces(1, 0, time.Date(1985, 1, 1, 0, 0, 0, 0, time.UTC))
			code, body := postHTTP(t, s.c, map[string]string{"X-API-Key": key}, bad)
			require.Equal(t, http.StatusOK, code, body)
		}
	}
	conn := chtest.ConnTo(t, s.engine.Native())
	waitForCountOn(t, conn, "SELECT count() FROM `"+s.db+"`.dead_letters FINAL", 1)
	waitForCountOn(t, conn, "SELECT count() FROM `"+s.db+"`.spans FINAL", uint64(2*5*loadgen.SpansPerRun(2)))
	var orgs, reason string
	require.NoError(t, conn.QueryRow(context.Background(), "SELECT OrgId, Reason FROM `"+s.db+"`.dead_letters FINAL").Scan(&orgs, &reason))
	assert.Equal(t, s.orgOf[keys[0]].OrgID, orgs)
	assert.Contains(t, reason, "timestamp_after_2000")
	var perOrg uint64
	require.NoError(t, conn.QueryRow(context.Background(), "SELECT uniqExact(OrgId) FROM `"+s.db+"`.spans FINAL").Scan(&perOrg))
	assert.Equal(t, uint64(2), perOrg, "both orgs' good rows stored")
	figure(t, "refused row", "1 span refused (a 1985 start) in a batch with %d good spans of 2 orgs: good spans stored, the refused one in dead_letters with its reason",
		2*5*loadgen.SpansPerRun(2))
}
