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

	"github.com/agora-otelcol/agora-otelcol/internal/agora"
	"github.com/agora-otelcol/agora-otelcol/internal/chtest"
)

// BenchmarkQueryAPILatency seeds AGORA_BENCH_EXECUTIONS executions (default
// 10,000,000, one a second back from now over 20 workflows) with 10 node
// executions each for one org (one LLM call each, over three models), a
// tenth as many for another org, then times the API through the collector:
// list, detail, a workflow's graph, the usage page and search over the
// last 24 h, search over all time, p50 and p95 per call. Runs have a text
// input (and an error when they failed), LLM nodes a prompt, failed nodes
// an error: what search reads. `make bench-ui` runs it.
func BenchmarkQueryAPILatency(b *testing.B) {
	n := 10_000_000
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
			"NodeCount, ErrorCount, RetryCount, TotalTokens, EstimatedCost, LastSeen, Source, Version, Input, ErrorMessage) "+
			"SELECT ?, "+id(s.prefix, "number")+", 'proj', concat('wf-', toString(number % 20)), "+
			"arrayElement(['success','success','success','error','running'], 1 + number % 5), now64(6) - toIntervalMillisecond(number * 1000), "+
			"1000 + number % 5000, 10, if(number % 5 = 3, 1, 0), number % 3, 1000, 0.01, now64(6), 'api', now64(9), "+
			"concat('question: tell me about topic', toString(number % 50000)), "+
			"if(number % 5 = 3, concat('tool call failed: upstream ', arrayElement(['timeout', 'refused', 'reset'], 1 + number % 3), ' code', toString(number % 997)), '') "+
			"FROM numbers(?)", s.org, s.count))
	}
	workflowIDs := make([]string, 20)
	for i := range workflowIDs {
		workflowIDs[i] = agora.WorkflowID(agora.ProjectID(org.OrgID, "proj"), fmt.Sprintf("wf-%d", i)).String()
	}
	// In blocks: one insert of 100M rows holds too much in memory.
	for from := 0; from < n*10; from += 10_000_000 {
		require.NoError(b, conn.Exec(ctx, "INSERT INTO `"+db+"`.node_executions (OrgId, ExecutionId, NodeExecutionId, ProjectName, WorkflowId, WorkflowName, NodeName, NodeType, "+
			"Status, StartedAt, CompletedAt, PrepDurationMs, ExecDurationMs, PostDurationMs, RetryCount, NextAction, PromptTokens, CompletionTokens, TotalTokens, EstimatedCost, Model, Provider, Version, Input, ErrorMessage) "+
			"SELECT ?, "+id("8000", "intDiv(number, 10)")+", generateUUIDv4(), 'proj', toUUID(arrayElement(?, 1 + intDiv(number, 10) % 20)), concat('wf-', toString(intDiv(number, 10) % 20)), "+
			"concat('N', toString(number % 10)), 'T', if(number % 97 = 0, 'error', 'success'), "+
			"now64(6) - toIntervalMillisecond(intDiv(number, 10) * 1000) + toIntervalMillisecond((number % 10) * 100), "+
			"now64(6) - toIntervalMillisecond(intDiv(number, 10) * 1000) + toIntervalMillisecond((number % 10) * 100 + 80), 5, 70, 5, number % 13 = 0, 'default', "+
			"if(number % 10 = 3, 800, NULL), if(number % 10 = 3, 200, NULL), if(number % 10 = 3, 1000, NULL), if(number % 10 = 3, 0.002, NULL), "+
			"if(number % 10 = 3, arrayElement(['gpt-4o', 'gpt-4o-mini', 'claude-sonnet'], 1 + intDiv(number, 10) % 3), ''), if(number % 10 = 3, 'openai', ''), "+
			"now64(9), if(number % 10 = 3, concat('prompt: summarise document doc', toString(number % 100000)), ''), "+
			"if(number % 97 = 0, concat('node failed: quota exceeded for key k', toString(number % 1000)), '') FROM numbers(?, ?)", org.OrgID, workflowIDs, from, min(10_000_000, n*10-from)))
	}
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
	graphPath := func() string { return "workflows/" + workflowIDs[rand.IntN(len(workflowIDs))] + "/graph" }
	// A rare word (one run in 50,000 has it in its input), searched in the
	// default 24 h and over all time; a common one (1% of node errors).
	searchPath := func() string { return fmt.Sprintf("executions?limit=50&q=topic%d", rand.IntN(50_000)) }
	searchAllPath := func() string {
		return fmt.Sprintf("executions?limit=50&from=2000-01-01T00:00:00Z&q=topic%d", rand.IntN(50_000))
	}
	const searchCommon = "executions?limit=50&q=quota+exceeded"
	for range 5 { // warm caches
		get("executions?limit=50")
		get(detailPath())
		get(graphPath())
		get("usage")
		get(searchPath())
		get(searchAllPath())
		get(searchCommon)
	}
	var list, detail, graph, usage, search, searchAll, common []time.Duration
	b.ResetTimer()
	for b.Loop() {
		list = append(list, get("executions?limit=50"))
		detail = append(detail, get(detailPath()))
		graph = append(graph, get(graphPath()))
		usage = append(usage, get("usage"))
		search = append(search, get(searchPath()))
		searchAll = append(searchAll, get(searchAllPath()))
		common = append(common, get(searchCommon))
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
	b.ReportMetric(pct(graph, 0.5), "graph-p50-ms")
	b.ReportMetric(pct(graph, 0.95), "graph-p95-ms")
	b.ReportMetric(pct(usage, 0.5), "usage-p50-ms")
	b.ReportMetric(pct(usage, 0.95), "usage-p95-ms")
	b.ReportMetric(pct(search, 0.5), "search-p50-ms")
	b.ReportMetric(pct(search, 0.95), "search-p95-ms")
	b.ReportMetric(pct(searchAll, 0.5), "search-all-time-p50-ms")
	b.ReportMetric(pct(searchAll, 0.95), "search-all-time-p95-ms")
	b.ReportMetric(pct(common, 0.5), "search-common-p50-ms")
	b.ReportMetric(pct(common, 0.95), "search-common-p95-ms")
}
