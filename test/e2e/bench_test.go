//go:build integration

package e2e

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/agora-otelcol/agora-otelcol/internal/chtest"
)

// BenchmarkAgoraAPIToClickHouse is the end-to-end load test: 50-node batch
// flushes posted by 4 concurrent senders to the collector binary, timed until
// every node execution is a row in ClickHouse. The collector, ClickHouse and
// the senders share this machine's cores.
func BenchmarkAgoraAPIToClickHouse(b *testing.B) {
	conn := chtest.Conn(b)
	db := chtest.NewDatabase(b, conn)
	c := startCollector(b, db)
	key, _ := c.newKey(b, "bench", 0)
	code, resp := c.send(b, sdkRequest{Method: http.MethodPost, Path: "/telemetry/executions/start",
		Headers: map[string]string{"Content-Type": "application/json"}, Body: []byte(`{"workflow_name": "bench"}`)}, key, "")
	require.Equal(b, http.StatusOK, code, resp)
	exec := resp["execution_id"].(string)

	const perBatch = 50
	body := func(batch int) []byte {
		var buf bytes.Buffer
		fmt.Fprintf(&buf, `{"execution_id": %q, "workflow_name": "bench", "project_name": "bench", "events": [], "node_executions": [`, exec)
		for i := range perBatch {
			if i > 0 {
				buf.WriteString(", ")
			}
			ts := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC).Add(time.Duration(batch*perBatch+i) * time.Microsecond).Format("2006-01-02T15:04:05.000000")
			fmt.Fprintf(&buf, `{"node_name": "Node-%d", "node_type": "TracedAsyncNode", "status": "success", "started_at": %q, "completed_at": %q, "prep_duration_ms": 5, "exec_duration_ms": 70.5, "post_duration_ms": 5, "error_message": null, "retry_count": 0}`, i%10, ts, ts)
		}
		buf.WriteString("]}")
		return buf.Bytes()
	}
	bodies := make([][]byte, b.N)
	for i := range bodies {
		bodies[i] = body(i)
	}

	cpuBefore := cpuSeconds(b, c.cmd.Process.Pid)
	b.ResetTimer()
	var next atomic.Int64
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for {
				i := next.Add(1) - 1
				if i >= int64(b.N) {
					return
				}
				req, _ := http.NewRequest(http.MethodPost, "http://"+c.api+"/telemetry/batch", bytes.NewReader(bodies[i]))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("X-API-Key", key)
				resp, err := http.DefaultClient.Do(req)
				if err != nil || resp.StatusCode != http.StatusOK {
					b.Errorf("batch %d: %v %v", i, err, resp)
					return
				}
				resp.Body.Close()
			}
		})
	}
	wg.Wait()
	want := uint64(b.N * perBatch)
	var got uint64
	for deadline := time.Now().Add(2 * time.Minute); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		require.NoError(b, conn.QueryRow(context.Background(), "SELECT count() FROM `"+db+"`.node_executions").Scan(&got))
		if got >= want {
			break
		}
	}
	b.StopTimer()
	require.Equal(b, want, got)
	b.ReportMetric(float64(want)/b.Elapsed().Seconds(), "items/s")
	// Per core of collector CPU: what one core spent in the collector buys.
	b.ReportMetric(float64(want)/(cpuSeconds(b, c.cmd.Process.Pid)-cpuBefore), "items/collector-cpu-s")
}

// cpuSeconds is the user+system CPU time of a process, from /proc.
func cpuSeconds(b *testing.B, pid int) float64 {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	require.NoError(b, err)
	// Fields after the command name (which may hold spaces): utime is the 12th, stime the 13th.
	fields := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+2:]))
	utime, _ := strconv.ParseFloat(fields[11], 64)
	stime, _ := strconv.ParseFloat(fields[12], 64)
	return (utime + stime) / 100 // USER_HZ
}
