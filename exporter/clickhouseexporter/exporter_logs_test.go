package clickhouseexporter

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.uber.org/zap"

	"github.com/agora-otelcol/agora-otelcol/internal/agora"
	"github.com/agora-otelcol/agora-otelcol/internal/chtest"
)

// benchNodeLogs is n node-execution records as the agora receiver makes them.
func benchNodeLogs(n int) plog.Logs {
	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	rl.Resource().Attributes().PutStr(agora.AttrOrgID, "org-bench")
	lrs := rl.ScopeLogs().AppendEmpty().LogRecords()
	exec := uuid.New()
	s := agora.Scope{ExecutionID: exec, ProjectName: "p", ProjectID: agora.ProjectID("org-bench", "p"), WorkflowName: "w"}
	s.WorkflowID = agora.WorkflowID(s.ProjectID, "w")
	start := time.Now()
	d := 5.0
	for i := range n {
		done := start.Add(time.Duration(i)*time.Millisecond + 80*time.Millisecond)
		node := agora.NodeExecution{
			Scope: s, ID: agora.ItemID(exec, "node_execution", fmt.Sprint(i)), NodeID: agora.NodeID(s.WorkflowID, "n"),
			NodeName: fmt.Sprintf("Node-%d", i%10), NodeType: "TracedAsyncNode", Status: "success",
			StartedAt: start.Add(time.Duration(i) * time.Millisecond), CompletedAt: &done,
			PrepDurationMs: &d, ExecDurationMs: &d, PostDurationMs: &d, RetryCount: 1,
			Input: pcommon.NewValueEmpty(), Output: pcommon.NewValueEmpty(),
		}
		node.Append(lrs, agora.EventNodeReported)
	}
	return ld
}

// BenchmarkNodeExecutionsToClickHouse: records -> columns ("columns") and the
// whole push including the insert ("insert"), 1000 records per op.
func BenchmarkNodeExecutionsToClickHouse(b *testing.B) {
	conn := chtest.Conn(b)
	cfg := createDefaultConfig().(*Config)
	cfg.Connection.Endpoint, cfg.Connection.Database = chtest.NativeEndpoint(), chtest.NewDatabase(b, conn)
	exp, err := newLogsExporter(cfg, zap.NewNop())
	require.NoError(b, err)
	require.NoError(b, exp.start(context.Background(), componenttest.NewNopHost()))
	b.Cleanup(func() { _ = exp.shutdown(context.Background()) })
	ld := benchNodeLogs(1000)

	b.Run("columns", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			nodes := newNodeColumns(1000)
			for _, lr := range ld.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().All() {
				require.True(b, exp.appendAgora("org-bench", lr, &executionColumns{}, nodes, &eventColumns{}))
			}
		}
		b.ReportMetric(float64(b.N*1000)/b.Elapsed().Seconds(), "items/s")
	})
	b.Run("insert", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			require.NoError(b, exp.pushLogs(context.Background(), ld))
		}
		b.ReportMetric(float64(b.N*1000)/b.Elapsed().Seconds(), "items/s")
	})
}
