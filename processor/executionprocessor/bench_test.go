package executionprocessor

import (
	"context"
	"encoding/binary"
	"runtime"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/agora-otelcol/agora-otelcol/internal/testutil"
)

// runs are n agora_tracer executions of 4 nodes (1 flow + 4 nodes + 12
// phases + 1 LLM span = 18 spans), each its own trace.
func runs(n int) []ptrace.Traces {
	out := make([]ptrace.Traces, n)
	for i := range out {
		out[i] = tracerRun(pcommon.TraceID(uuid.New()), 4).td
	}
	return out
}

// nextRun is a copy of one of the template runs under a new trace id: every
// request is a new execution, as under real load (re-sending one execution
// would grow its journal for ever).
func nextRun(batches []ptrace.Traces, i int) ptrace.Traces {
	td := ptrace.NewTraces()
	batches[i%len(batches)].CopyTo(td)
	var trace pcommon.TraceID
	binary.LittleEndian.PutUint64(trace[:], uint64(i)+1)
	for _, sp := range td.ResourceSpans().At(0).ScopeSpans().At(0).Spans().All() {
		sp.SetTraceID(trace)
	}
	return td
}

// BenchmarkFoldSpans: folding and emitting executions through the
// component, without and with the journal (on wal_storage, what the
// shipped configs use, and on contrib's file_storage). "baseline" only
// visits the same spans and reads the attributes a fold reads.
func BenchmarkFoldSpans(b *testing.B) {
	batches := runs(64)
	spans := batches[0].SpanCount()
	fold := func(b *testing.B, host *pipelines) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			td := nextRun(batches, i)
			if err := host.traces.ConsumeTraces(context.Background(), td); err != nil {
				b.Fatal(err)
			}
			i++
		}
		b.ReportMetric(float64(b.N*spans)/b.Elapsed().Seconds(), "spans/s")
	}
	b.Run("fold", func(b *testing.B) {
		p := newPipelines(b, testConfig(), componenttest.NewNopHost())
		defer p.shutdown(b)
		fold(b, p)
	})
	for name, storage := range map[string]func(testing.TB, string) (*testutil.Host, component.ID, func()){
		"fold+journal": storageHost, "fold+journal_file_storage": fileStorageHost,
	} {
		b.Run(name, func(b *testing.B) {
			host, id, stop := storage(b, b.TempDir())
			defer stop()
			cfg := testConfig()
			cfg.Storage = &id
			p := newPipelines(b, cfg, host)
			defer p.shutdown(b)
			fold(b, p)
		})
	}
	b.Run("baseline", func(b *testing.B) {
		keys := []string{"agora.execution.id", "agora.flow", "agora.phase", "agora.kind", "agora.node", "duration_ms", "retry_count", "gen_ai.system", "gen_ai.usage.input_tokens"}
		found, i := 0, 0
		for b.Loop() {
			td := nextRun(batches, i)
			for _, sp := range td.ResourceSpans().At(0).ScopeSpans().At(0).Spans().All() {
				for _, k := range keys {
					if _, ok := sp.Attributes().Get(k); ok {
						found++
					}
				}
			}
			i++
		}
		b.ReportMetric(float64(b.N*spans)/b.Elapsed().Seconds(), "spans/s")
		runtime.KeepAlive(found)
	})
}

// TestMemoryPerExecution measures the heap one in-flight execution (4 nodes,
// 18 spans folded) holds; the figure goes into the README.
func TestMemoryPerExecution(t *testing.T) {
	const n = 2000
	batches := runs(n)
	for _, td := range batches {
		// in flight: the flow span, which ends the run, has not arrived
		td.ResourceSpans().At(0).ScopeSpans().At(0).Spans().RemoveIf(func(s ptrace.Span) bool { return s.ParentSpanID().IsEmpty() })
	}
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	s := newState(testConfig())
	for _, td := range batches {
		fold(s, td, t0)
	}
	runtime.GC()
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	perExec := float64(after.HeapAlloc-before.HeapAlloc) / n
	t.Logf("heap per in-flight execution (4 nodes, 17 spans): %.0f bytes", perExec)
	require.Equal(t, n, s.inMemory)
	assert.Less(t, perExec, 16.0*1024, "an in-flight execution stays small")
	runtime.KeepAlive(s)
	runtime.KeepAlive(batches)
}

// BenchmarkInterpret: reading one agora_tracer execution's spans (18, one
// of them an LLM call with usage) into facts, as ConsumeTraces does.
func BenchmarkInterpret(b *testing.B) {
	spans := runs(1)[0].ResourceSpans().At(0).ScopeSpans().At(0).Spans()
	var f spanFacts
	b.ReportAllocs()
	for range b.N {
		for _, sp := range spans.All() {
			interpret(&f, sp, nil)
		}
	}
	b.ReportMetric(float64(b.N*spans.Len())/b.Elapsed().Seconds(), "spans/s")
}
