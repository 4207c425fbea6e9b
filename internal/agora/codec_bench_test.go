package agora

import (
	"testing"

	"go.opentelemetry.io/collector/pdata/plog"
)

// BenchmarkNodeExecutionCodec: one node-execution record written, through
// the persistent queue's encoding and back, and read, in each form: the
// codec's per-record cost on the processor → exporter path.
func BenchmarkNodeExecutionCodec(b *testing.B) {
	n := testNodeExecution()
	for _, enc := range []RecordEncoding{RecordEncodingMap, RecordEncodingCompact} {
		ld := plog.NewLogs()
		lrs := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords()
		lr := n.AppendRecord(lrs, enc)
		b.Run(string(enc)+"/append", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				n.AppendRecord(plog.NewLogRecordSlice(), enc)
			}
		})
		b.Run(string(enc)+"/decode", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := DecodeNodeExecution(lr); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(string(enc)+"/queue", func(b *testing.B) {
			b.ReportAllocs()
			var m plog.ProtoMarshaler
			var u plog.ProtoUnmarshaler
			for b.Loop() {
				raw, err := m.MarshalLogs(ld)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := u.UnmarshalLogs(raw); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkNodeIDs: the ids derived for every node item (its node and its
// node execution).
func BenchmarkNodeIDs(b *testing.B) {
	n := testNodeExecution()
	b.ReportAllocs()
	for b.Loop() {
		_ = NodeID(n.WorkflowID, n.NodeName)
		_ = NodeExecutionID(n.ExecutionID, n.NodeName, n.StartedAt)
	}
}
