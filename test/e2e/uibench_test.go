//go:build integration

package e2e

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/agora-otelcol/agora-otelcol/internal/chtest"
)

// BenchmarkQueryAPILatency seeds AGORA_BENCH_EXECUTIONS executions (default
// 1,000,000) with 10 node executions each for one org, a tenth as many for
// another org, then times the list and detail API through the collector:
// p50 and p95 per call. `make bench-ui` runs it.
func BenchmarkQueryAPILatency(b *testing.B) {
	n := 1_000_000
	if s := os.Getenv("AGORA_BENCH_EXECUTIONS"); s != "" {
		n, _ = strconv.Atoi(s)
	}
	conn := chtest.Conn(b)
	db := chtest.NewDatabase(b, conn)
	c := startCollector(b, db) // creates the schema
	key, org := c.newKey(b, "bench", 0)
	_, other := c.newKey(b, "other", 0)

	ctx := context.Background()
	seedStart := time.Now()
	id := func(prefix, expr string) string {
		return fmt.Sprintf("toUUID(concat('00000000-0000-4000-%s-', leftPad(lower(hex(%s)), 12, '0')))", prefix, expr)
	}
	for _, s := range []struct {
		org, prefix string
		count       int
	}{{org.OrgID, "8000", n}, {other.OrgID, "9000", n / 10}} {
		require.NoError(b, conn.Exec(ctx, "INSERT INTO `"+db+"`.executions (OrgId, ExecutionId, ProjectName, WorkflowName, Status, StartedAt, DurationMs, "+
			"NodeCount, ErrorCount, RetryCount, TotalTokens, EstimatedCost, LastSeen, Source, Version) "+
			"SELECT ?, "+id(s.prefix, "number")+", 'proj', concat('wf-', toString(number % 20)), "+
			"arrayElement(['success','success','success','error','running'], 1 + number % 5), now64(6) - toIntervalMillisecond(number * 1000), "+
			"1000 + number % 5000, 10, if(number % 5 = 3, 1, 0), number % 3, 1000, 0.01, now64(6), 'api', now64(9) FROM numbers(?)", s.org, s.count))
	}
	require.NoError(b, conn.Exec(ctx, "INSERT INTO `"+db+"`.node_executions (OrgId, ExecutionId, NodeExecutionId, ProjectName, WorkflowName, NodeName, NodeType, "+
		"Status, StartedAt, CompletedAt, PrepDurationMs, ExecDurationMs, PostDurationMs, RetryCount, Version) "+
		"SELECT ?, "+id("8000", "intDiv(number, 10)")+", generateUUIDv4(), 'proj', concat('wf-', toString(intDiv(number, 10) % 20)), concat('N', toString(number % 10)), 'T', 'success', "+
		"now64(6) - toIntervalMillisecond(intDiv(number, 10) * 1000) + toIntervalMillisecond((number % 10) * 100), "+
		"now64(6) - toIntervalMillisecond(intDiv(number, 10) * 1000) + toIntervalMillisecond((number % 10) * 100 + 80), 5, 70, 5, 0, now64(9) FROM numbers(?)", org.OrgID, n*10))
	b.Logf("seeded %d executions and %d node executions in %s", n+n/10, n*10, time.Since(seedStart).Round(time.Second))

	get := func(path string) time.Duration {
		start := time.Now()
		code, resp := c.uiGet(b, key, path)
		d := time.Since(start)
		require.Equal(b, http.StatusOK, code, resp)
		return d
	}
	detailPath := func() string {
		return "executions/" + fmt.Sprintf("00000000-0000-4000-8000-%012x", rand.IntN(n))
	}
	for range 5 { // warm caches
		get("executions?limit=50")
		get(detailPath())
	}
	var list, detail []time.Duration
	b.ResetTimer()
	for b.Loop() {
		list = append(list, get("executions?limit=50"))
		detail = append(detail, get(detailPath()))
	}
	b.StopTimer()
	pct := func(ds []time.Duration, p float64) float64 {
		slices.Sort(ds)
		return float64(ds[int(p*float64(len(ds)-1))].Microseconds()) / 1000
	}
	b.ReportMetric(pct(list, 0.5), "list-p50-ms")
	b.ReportMetric(pct(list, 0.95), "list-p95-ms")
	b.ReportMetric(pct(detail, 0.5), "detail-p50-ms")
	b.ReportMetric(pct(detail, 0.95), "detail-p95-ms")
}
