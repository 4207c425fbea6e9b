package agora

import (
	"testing"

	"go.opentelemetry.io/collector/pdata/plog"
)

// BenchmarkNodeExecutionCodec: one node-execution record written and read
// back, the codec's per-record cost on the processor → exporter path.
// "baseline" only visits the record's fields.
func BenchmarkNodeExecutionCodec(b *testing.B) {
	s := testScope()
	f, i := 5.5, int64(17)
	end := tEnd
	n := NodeExecution{Scope: s, ID: NodeExecutionID(s.ExecutionID, "n", tStart), NodeID: NodeID(s.WorkflowID, "n"),
		NodeName: "n", NodeType: "t", Status: StatusSuccess, StartedAt: tStart, CompletedAt: &end, PrepDurationMs: &f,
		ExecDurationMs: &f, PostDurationMs: &f, RetryCount: 2, NextAction: "default", Input: mapValue("q", "x"),
		Output: mapValue("a", "y"), PromptTokens: &i, CompletionTokens: &i, TotalTokens: &i, EstimatedCost: &f, Model: "m", Provider: "p"}
	ld := plog.NewLogs()
	lrs := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords()
	lr := n.Append(lrs, EventNodeExecutionRecord)
	b.Run("append", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			lrs := plog.NewLogRecordSlice()
			n.Append(lrs, EventNodeExecutionRecord)
		}
	})
	b.Run("decode", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := DecodeNodeExecution(lr); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("baseline", func(b *testing.B) {
		for b.Loop() {
			k := 0
			for key := range lr.Body().Map().All() {
				k += len(key)
			}
			_ = k
		}
	})
}
