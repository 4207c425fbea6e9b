package agorametricsconnector

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/agora-otelcol/agora-otelcol/internal/agora"
)

// BenchmarkConsumeLogs: one flush of 50 finished executions of 3 nodes
// each (200 records), every execution new, as under bench-compare's load.
func BenchmarkConsumeLogs(b *testing.B) {
	c, _ := newTestConnector(b, createDefaultConfig().(*Config))
	const execs = 50
	bt := batch{org: "org-1"}
	for range execs {
		exec := uuid.New()
		for _, name := range []string{"A", "B", "C"} {
			bt.nodes = append(bt.nodes, nodeRun(exec, "wf", name, agora.StatusSuccess, 3*time.Millisecond))
		}
		bt.execs = append(bt.execs, execution(exec, "wf", agora.StatusSuccess, 12))
	}
	b.ReportAllocs()
	for range b.N {
		b.StopTimer()
		// New ids each time: a counted id is skipped at its first lookup.
		for i := range bt.execs {
			id := uuid.New()
			bt.execs[i].ExecutionID = id
			for j := range 3 {
				bt.nodes[3*i+j].ExecutionID, bt.nodes[3*i+j].ID = id, uuid.New()
			}
		}
		ld := logsOf(bt)
		b.StartTimer()
		require.NoError(b, c.ConsumeLogs(context.Background(), ld))
	}
	b.ReportMetric(float64(b.N*4*execs)/b.Elapsed().Seconds(), "records/s")
}
