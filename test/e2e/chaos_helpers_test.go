//go:build integration

package e2e

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/google/uuid"

	"github.com/agora-otelcol/agora-otelcol/internal/apikey"
	"github.com/agora-otelcol/agora-otelcol/internal/loadgen"
)

// lossReport compares what the collector acknowledged with what is stored.
type lossReport struct {
	apiExecs, apiNodes, otlpExecs, otlpSpans     int
	lostNodes, lostSpans, extraSpans, badRecords int
	firstProblem                                 string
}

func (r lossReport) clean() bool {
	return r.lostNodes == 0 && r.lostSpans == 0 && r.extraSpans == 0 && r.badRecords == 0
}

func (r lossReport) String() string {
	return fmt.Sprintf("acknowledged %d API runs (%d node items) and %d OTLP runs (%d spans); lost %d node items, %d spans; %d spans stored twice; %d execution records missing or incomplete",
		r.apiExecs, r.apiNodes, r.otlpExecs, r.otlpSpans, r.lostNodes, r.lostSpans, r.extraSpans, r.badRecords)
}

// checkStored reads every acknowledged item back (FINAL: what a query sees).
func checkStored(ctx context.Context, conn driver.Conn, db string, orgOf map[string]apikey.Key, acked *loadgen.Acked) (lossReport, error) {
	var r lossReport
	r.apiExecs, r.apiNodes, r.otlpExecs, r.otlpSpans = acked.Counts()
	problem := func(format string, args ...any) {
		if r.firstProblem == "" {
			r.firstProblem = fmt.Sprintf(format, args...)
		}
	}
	type exec struct {
		ID       uuid.UUID `ch:"ExecutionId"`
		Status   string    `ch:"Status"`
		Nodes    uint32    `ch:"NodeCount"`
		Retries  uint32    `ch:"RetryCount"`
		Tokens   int64     `ch:"TotalTokens"`
		Complete bool      `ch:"complete"`
	}
	type spanCount struct {
		TraceID string `ch:"TraceId"`
		N       uint64 `ch:"n"`
	}
	execs, nodes, spans := map[uuid.UUID]exec{}, map[uuid.UUID]bool{}, map[string]uint64{}
	for _, key := range orgOf {
		var es []exec
		if err := conn.Select(ctx, &es, "SELECT ExecutionId, Status, NodeCount, RetryCount, TotalTokens, CompletedAt IS NOT NULL AS complete FROM `"+db+"`.executions FINAL WHERE OrgId = ? AND NOT Deleted", key.OrgID); err != nil {
			return r, err
		}
		for _, e := range es {
			execs[e.ID] = e
		}
		var ns []struct {
			ID uuid.UUID `ch:"NodeExecutionId"`
		}
		if err := conn.Select(ctx, &ns, "SELECT NodeExecutionId FROM `"+db+"`.node_executions FINAL WHERE OrgId = ? AND NOT Deleted", key.OrgID); err != nil {
			return r, err
		}
		for _, n := range ns {
			nodes[n.ID] = true
		}
		var sc []spanCount
		if err := conn.Select(ctx, &sc, "SELECT TraceId, count() AS n FROM `"+db+"`.spans FINAL WHERE OrgId = ? GROUP BY TraceId", key.OrgID); err != nil {
			return r, err
		}
		for _, s := range sc {
			spans[s.TraceID] = s.N
		}
	}
	for id, run := range acked.API {
		for _, n := range run.Nodes {
			if !nodes[n] {
				r.lostNodes++
				problem("node execution %s of API run %s not stored", n, id)
			}
		}
		e, ok := execs[id]
		switch {
		case !ok:
			r.badRecords++
			problem("API run %s has no execution record", id)
		case int(e.Nodes) != len(run.Nodes) || int64(e.Retries) != run.Retries:
			r.badRecords++
			problem("API run %s: record counts %d nodes, %d retries; acknowledged %d, %d", id, e.Nodes, e.Retries, len(run.Nodes), run.Retries)
		case run.Complete && (e.Status != "success" || !e.Complete):
			r.badRecords++
			problem("API run %s completed as success, record says %s", id, e.Status)
		}
	}
	for id, run := range acked.OTLP {
		trace := hex.EncodeToString(id[:])
		switch n := spans[trace]; {
		case int(n) < run.Spans:
			r.lostSpans += run.Spans - int(n)
			problem("OTLP run %s: %d of %d spans stored", id, n, run.Spans)
		case int(n) > run.Spans:
			r.extraSpans += int(n) - run.Spans
		}
		e, ok := execs[id]
		if !ok || e.Status != "success" || int(e.Nodes) != run.Nodes || e.Tokens != loadgen.LLMPromptTokens+loadgen.LLMCompletionTokens {
			r.badRecords++
			problem("OTLP run %s: record %+v (found %v)", id, e, ok)
		}
	}
	return r, nil
}

// waitStored polls until every acknowledged item is stored, or the timeout.
func waitStored(t *testing.T, conn driver.Conn, db string, orgOf map[string]apikey.Key, acked *loadgen.Acked, timeout time.Duration) (lossReport, time.Duration) {
	t.Helper()
	start := time.Now()
	for {
		r, err := checkStored(context.Background(), conn, db, orgOf, acked)
		if err != nil {
			t.Fatalf("reading back: %v", err)
		}
		if r.clean() || time.Since(start) > timeout {
			return r, time.Since(start)
		}
		time.Sleep(time.Second)
	}
}

// figure records a scenario's figures for the README's Reliability section:
// `make test` prints test-output/reliability.txt at the end.
func figure(t *testing.T, name, format string, args ...any) {
	line := fmt.Sprintf("%-28s %s\n", name, fmt.Sprintf(format, args...))
	t.Log(line)
	dir, _ := filepath.Abs("../../test-output")
	_ = os.MkdirAll(dir, 0o755)
	f, err := os.OpenFile(filepath.Join(dir, "reliability.txt"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err == nil {
		_, _ = f.WriteString(line)
		f.Close()
	}
}

// getStatus GETs a local health URL: its status code and body.
func getStatus(url string) (int, string) {
	client := &http.Client{Timeout: 2 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := client.Get(url)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// componentStatus finds a component's status (e.g. "exporter:agora_clickhouse")
// in healthcheckv2's verbose answer, in any pipeline; "" when absent.
func componentStatus(body, component string) string {
	var node struct {
		Status     string                     `json:"status"`
		Components map[string]json.RawMessage `json:"components"`
	}
	if json.Unmarshal([]byte(body), &node) != nil {
		return ""
	}
	for name, raw := range node.Components {
		if name == component {
			var c struct {
				Status string `json:"status"`
			}
			_ = json.Unmarshal(raw, &c)
			return c.Status
		}
		if s := componentStatus(string(raw), component); s != "" {
			return s
		}
	}
	return ""
}
