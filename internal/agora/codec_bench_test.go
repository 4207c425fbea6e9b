package agora

import (
	"testing"

	"go.opentelemetry.io/collector/pdata/plog"
)

// BenchmarkNodeExecutionCodec: one node-execution record written and read
// back, the codec's per-record cost on the processor → exporter path.
// "baseline" only visits the record's fields.
func BenchmarkNodeExecutionCodec(b *testing.B) {
	n := testNodeExecution()
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
