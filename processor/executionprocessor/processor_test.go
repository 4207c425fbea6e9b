package executionprocessor

import (
	"context"
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/open-telemetry/opentelemetry-collector-contrib/extension/storage/filestorage"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/extension/extensiontest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/processor/processortest"

	"github.com/agora-otelcol/agora-otelcol/internal/agora"
	"github.com/agora-otelcol/agora-otelcol/processor/executionprocessor/internal/metadata"
)

var t0 = time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)

func testConfig() *Config {
	cfg := createDefaultConfig().(*Config)
	cfg.ExecutionTimeout, cfg.Retention = time.Minute, 10*time.Minute
	return cfg
}

// spanBuilder makes agora_tracer-style spans of one trace.
type spanBuilder struct {
	td    ptrace.Traces
	trace pcommon.TraceID
	n     byte
}

func newSpans(trace pcommon.TraceID) *spanBuilder {
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr(agora.AttrOrgID, "org-1")
	rs.Resource().Attributes().PutStr("agora.project", "proj")
	rs.ScopeSpans().AppendEmpty()
	return &spanBuilder{td: td, trace: trace}
}

func (b *spanBuilder) add(name string, parent pcommon.SpanID, start, end time.Duration, attrs map[string]any) ptrace.Span {
	b.n++
	s := b.td.ResourceSpans().At(0).ScopeSpans().At(0).Spans().AppendEmpty()
	s.SetTraceID(b.trace)
	s.SetSpanID(pcommon.SpanID{b.n})
	s.SetParentSpanID(parent)
	s.SetName(name)
	s.SetStartTimestamp(pcommon.NewTimestampFromTime(t0.Add(start)))
	s.SetEndTimestamp(pcommon.NewTimestampFromTime(t0.Add(end)))
	_ = s.Attributes().FromRaw(attrs)
	return s
}

// fold applies the traces to a state, as ConsumeTraces does.
func fold(s *state, td ptrace.Traces, now time.Time) {
	for _, rs := range td.ResourceSpans().All() {
		for _, sp := range rs.ScopeSpans().At(0).Spans().All() {
			s.onSpan("org-1", "acme", "proj", sp, now)
		}
	}
}

func flushLogs(s *state, now time.Time) plog.Logs {
	ld, _ := s.flush(now)
	return ld
}

// records decodes a flush's output: the execution records and node records.
func records(t *testing.T, ld plog.Logs) (map[uuid.UUID]agora.Execution, map[string]agora.NodeExecution) {
	t.Helper()
	execs, nodes := map[uuid.UUID]agora.Execution{}, map[string]agora.NodeExecution{}
	for _, rl := range ld.ResourceLogs().All() {
		for _, lr := range rl.ScopeLogs().At(0).LogRecords().All() {
			switch lr.EventName() {
			case agora.EventExecutionRecord:
				e, err := agora.DecodeExecution(lr)
				require.NoError(t, err)
				execs[e.ExecutionID] = e
			case agora.EventNodeExecutionRecord:
				n, err := agora.DecodeNodeExecution(lr)
				require.NoError(t, err)
				nodes[n.NodeName] = n
			}
		}
	}
	return execs, nodes
}

func TestOutOfOrderSpans(t *testing.T) {
	// prepare: phases before their node span, node spans before the flow span
	trace := pcommon.TraceID(uuid.New())
	b := newSpans(trace)
	nodeID := pcommon.SpanID{100}
	prep := b.add("A.prep", nodeID, 0, 5*time.Millisecond, map[string]any{"agora.node": "A", "agora.phase": "prep", "duration_ms": 5.0})
	_ = prep
	b.add("A.exec", nodeID, 5*time.Millisecond, 25*time.Millisecond, map[string]any{"agora.node": "A", "agora.phase": "exec", "duration_ms": 20.0, "retry_count": 2})
	s := newState(testConfig())
	fold(s, b.td, t0)
	// verify: running, no node yet (its identity comes from the node span)
	execs, nodes := records(t, flushLogs(s, t0))
	assert.Equal(t, "running", execs[uuid.UUID(trace)].Status)
	assert.Empty(t, nodes)

	// test: the node span, then the flow span
	b2 := newSpans(trace)
	node := b2.add("A.node", pcommon.SpanID{200}, 0, 30*time.Millisecond, map[string]any{"agora.node": "A", "agora.kind": "node"})
	node.SetSpanID(nodeID)
	b2.add("Wf.flow", pcommon.SpanID{}, 0, 40*time.Millisecond, map[string]any{"agora.flow": "Wf", "total_duration_ms": 40.0}).SetSpanID(pcommon.SpanID{200})
	fold(s, b2.td, t0)
	execs, nodes = records(t, flushLogs(s, t0))

	// verify
	e := execs[uuid.UUID(trace)]
	assert.Equal(t, "success", e.Status)
	assert.Equal(t, "Wf", e.WorkflowName)
	assert.Equal(t, "proj", e.ProjectName)
	assert.Equal(t, 40.0, *e.DurationMs)
	assert.Equal(t, int64(1), e.NodeCount)
	assert.Equal(t, int64(2), e.RetryCount)
	a := nodes["A"]
	assert.Equal(t, 5.0, *a.PrepDurationMs)
	assert.Equal(t, 20.0, *a.ExecDurationMs)
	assert.Equal(t, int64(2), a.RetryCount)
	assert.Equal(t, agora.NodeID(e.WorkflowID, "A"), a.NodeID)
}

func apiScope(org string, exec uuid.UUID) agora.Scope {
	p := agora.ProjectID(org, "proj")
	return agora.Scope{ExecutionID: exec, ProjectName: "proj", ProjectID: p, WorkflowName: "wf", WorkflowID: agora.WorkflowID(p, "wf")}
}

func TestCompleteBeforeLastNodeAndLateData(t *testing.T) {
	// prepare
	s := newState(testConfig())
	exec := uuid.New()
	sc := apiScope("org-1", exec)
	s.onStart("org-1", "acme", agora.ExecutionStart{Scope: sc, StartedAt: t0, Input: pcommon.NewValueEmpty()}, t0)
	s.onNodeReport("org-1", "acme", agora.NodeExecution{Scope: sc, ID: uuid.New(), NodeName: "A", Status: "success", StartedAt: t0}, t0)
	// test: complete arrives before the last node report
	s.onComplete("org-1", "acme", agora.ExecutionCompletion{Scope: agora.Scope{ExecutionID: exec}, Status: "error", ErrorMessage: "B failed", CompletedAt: t0.Add(time.Second), DurationMs: 1000}, t0)
	execs, _ := records(t, flushLogs(s, t0))
	require.Equal(t, "error", execs[exec].Status)
	require.Equal(t, int64(1), execs[exec].NodeCount)
	s.onNodeReport("org-1", "acme", agora.NodeExecution{Scope: agora.Scope{ExecutionID: exec}, ID: uuid.New(), NodeName: "B", Status: "error", ErrorMessage: "boom", RetryCount: 3, StartedAt: t0}, t0.Add(2*time.Second))
	// verify: the late node updates the aggregates, the status stays
	execs, nodes := records(t, flushLogs(s, t0.Add(2*time.Second)))
	e := execs[exec]
	assert.Equal(t, "error", e.Status)
	assert.Equal(t, "B failed", e.ErrorMessage)
	assert.Equal(t, int64(2), e.NodeCount)
	assert.Equal(t, int64(1), e.ErrorCount)
	assert.Equal(t, int64(3), e.RetryCount)
	assert.Equal(t, "wf", nodes["B"].WorkflowName, "the execution's names reach nodes reported without them")
}

func TestTimeout(t *testing.T) {
	// prepare
	s := newState(testConfig())
	exec := uuid.New()
	s.onStart("org-1", "acme", agora.ExecutionStart{Scope: apiScope("org-1", exec), StartedAt: t0, Input: pcommon.NewValueEmpty()}, t0)
	execs, _ := records(t, flushLogs(s, t0))
	require.Equal(t, "running", execs[exec].Status)
	// test + verify: quiet for less than the timeout: nothing to emit
	assert.Equal(t, 0, flushLogs(s, t0.Add(59*time.Second)).LogRecordCount())
	execs, _ = records(t, flushLogs(s, t0.Add(61*time.Second)))
	assert.Equal(t, "timeout", execs[exec].Status)
	assert.Equal(t, int64(1), s.timeouts)
	// a late completion still wins
	s.onComplete("org-1", "acme", agora.ExecutionCompletion{Scope: agora.Scope{ExecutionID: exec}, Status: "success", CompletedAt: t0.Add(70 * time.Second)}, t0.Add(70*time.Second))
	execs, _ = records(t, flushLogs(s, t0.Add(70*time.Second)))
	assert.Equal(t, "success", execs[exec].Status)
	// retention forgets it
	flushLogs(s, t0.Add(70*time.Second+10*time.Minute))
	assert.Empty(t, s.execs)
}

func TestEvictionIsCounted(t *testing.T) {
	// prepare
	cfg := testConfig()
	cfg.MaxExecutions = 2
	s := newState(cfg)
	ids := []uuid.UUID{uuid.New(), uuid.New(), uuid.New()}
	// test
	for i, id := range ids {
		s.onStart("org-1", "acme", agora.ExecutionStart{Scope: apiScope("org-1", id), StartedAt: t0, Input: pcommon.NewValueEmpty()}, t0.Add(time.Duration(i)*time.Second))
	}
	// verify: the least recently seen is dropped, counted, and still emitted
	assert.Len(t, s.execs, 2)
	assert.Equal(t, int64(1), s.evictions)
	execs, _ := records(t, flushLogs(s, t0.Add(3*time.Second)))
	assert.Len(t, execs, 3, "the evicted execution's record is emitted, not lost")
	_, kept := s.execs[key{"org-1", ids[0]}]
	assert.False(t, kept)
}

func TestFlowNamesAPIExecution(t *testing.T) {
	// prepare: the SDK started execution X through the JSON API; agora_tracer
	// spans of trace T arrive, a node span first, then the flow span naming X
	s := newState(testConfig())
	exec := uuid.New()
	s.onStart("org-1", "acme", agora.ExecutionStart{Scope: apiScope("org-1", exec), StartedAt: t0, Input: pcommon.NewValueEmpty()}, t0)
	trace := pcommon.TraceID(uuid.New())
	b := newSpans(trace)
	b.add("A.node", pcommon.SpanID{9}, 0, time.Millisecond, map[string]any{"agora.node": "A", "agora.kind": "node"})
	fold(s, b.td, t0)
	b2 := newSpans(trace)
	b2.add("wf.flow", pcommon.SpanID{}, 0, 2*time.Millisecond, map[string]any{"agora.flow": "wf", "execution_id": exec.String()})
	// test
	fold(s, b2.td, t0)
	// verify: one execution, with the node
	execs, _ := records(t, flushLogs(s, t0))
	require.Len(t, execs, 1)
	assert.Equal(t, int64(1), execs[exec].NodeCount)
	assert.Equal(t, "api+otlp", execs[exec].Source)
}

func TestUsageCountedOnce(t *testing.T) {
	// prepare: an exec span repeating the usage of its child LLM span
	trace := pcommon.TraceID(uuid.New())
	b := newSpans(trace)
	node := b.add("A.node", pcommon.SpanID{}, 0, time.Second, map[string]any{"agora.node": "A", "agora.kind": "node"})
	exec := b.add("A.exec", node.SpanID(), 0, time.Second, map[string]any{"agora.node": "A", "agora.phase": "exec", "llm.usage.total_tokens": 30})
	b.add("chat", exec.SpanID(), 0, time.Second, map[string]any{"gen_ai.system": "openai", "gen_ai.response.model": "gpt-4o-mini-2024", "gen_ai.usage.input_tokens": 10, "gen_ai.usage.output_tokens": 20})
	b.add("chat", exec.SpanID(), 0, time.Second, map[string]any{"gen_ai.system": "openai", "gen_ai.response.model": "x", "gen_ai.usage.input_tokens": 1, "gen_ai.usage.output_tokens": 2, "traceloop.cost.usd": 0.5})
	cfg := testConfig()
	cfg.Prices = []Price{{Model: "gpt-4o-mini*", Prompt: 1, Completion: 2}}
	s := newState(cfg)
	// test
	fold(s, b.td, t0)
	execs, nodes := records(t, flushLogs(s, t0))
	// verify
	a := nodes["A"]
	assert.Equal(t, int64(11), *a.PromptTokens)
	assert.Equal(t, int64(22), *a.CompletionTokens)
	assert.Equal(t, int64(33), *a.TotalTokens, "LLM spans only; the exec span's repeat is not added")
	assert.InDelta(t, (10*1.0+20*2.0)/1e6+0.5, *a.EstimatedCost, 1e-12, "priced by model pattern; the sender's cost wins")
	assert.Equal(t, int64(33), execs[uuid.UUID(trace)].TotalTokens)
}

func TestTenantsApart(t *testing.T) {
	s := newState(testConfig())
	exec := uuid.New()
	s.onStart("org-1", "a", agora.ExecutionStart{Scope: apiScope("org-1", exec), StartedAt: t0, Input: pcommon.NewValueEmpty()}, t0)
	s.onComplete("org-2", "b", agora.ExecutionCompletion{Scope: agora.Scope{ExecutionID: exec}, Status: "success", CompletedAt: t0}, t0)
	ld := flushLogs(s, t0)
	require.Equal(t, 2, ld.ResourceLogs().Len(), "one resource per org")
	for _, rl := range ld.ResourceLogs().All() {
		org, _ := rl.Resource().Attributes().Get(agora.AttrOrgID)
		e, err := agora.DecodeExecution(rl.ScopeLogs().At(0).LogRecords().At(0))
		require.NoError(t, err)
		if org.Str() == "org-1" {
			assert.Equal(t, "running", e.Status, "org-2's completion never touches org-1's execution")
		} else {
			assert.Equal(t, "success", e.Status)
		}
	}
}

func TestTracesOnlyIsAStartupError(t *testing.T) {
	f := NewFactory()
	cfg := f.CreateDefaultConfig()
	p, err := f.CreateTraces(context.Background(), processortest.NewNopSettings(metadata.Type), cfg, consumertest.NewNop())
	require.NoError(t, err)
	assert.ErrorIs(t, p.Start(context.Background(), componenttest.NewNopHost()), errNoLogsPipeline)
	require.NoError(t, p.Shutdown(context.Background()))
}

// TestLifecycle replaces the generated lifecycle test (see metadata.yaml):
// both pipelines through the factory, consume, and Shutdown emits records.
func TestLifecycle(t *testing.T) {
	f := NewFactory()
	cfg := f.CreateDefaultConfig()
	set := processortest.NewNopSettings(metadata.Type)
	traces, logs := new(consumertest.TracesSink), new(consumertest.LogsSink)
	tp, err := f.CreateTraces(context.Background(), set, cfg, traces)
	require.NoError(t, err)
	lp, err := f.CreateLogs(context.Background(), set, cfg, logs)
	require.NoError(t, err)
	require.Same(t, tp, lp, "one state for both pipelines")
	require.NoError(t, tp.Start(context.Background(), componenttest.NewNopHost()))
	require.NoError(t, lp.Start(context.Background(), componenttest.NewNopHost()))

	b := newSpans(pcommon.TraceID(uuid.New()))
	b.add("wf.flow", pcommon.SpanID{}, 0, time.Second, map[string]any{"agora.flow": "wf"})
	require.NoError(t, tp.ConsumeTraces(context.Background(), b.td))
	require.Len(t, traces.AllTraces(), 1, "spans pass on")
	require.NoError(t, tp.Shutdown(context.Background()))
	require.NoError(t, lp.Shutdown(context.Background()))
	var emitted int
	for _, ld := range logs.AllLogs() {
		emitted += ld.LogRecordCount()
	}
	assert.Equal(t, 1, emitted, "shutdown emits the pending execution record")
}

// BenchmarkFoldSpans: agora_tracer executions of 4 nodes (1 flow + 4 nodes
// + 12 phases + 1 LLM span = 18 spans), folded and flushed.
func BenchmarkFoldSpans(b *testing.B) {
	batches := make([]ptrace.Traces, 64)
	for i := range batches {
		sb := newSpans(pcommon.TraceID(uuid.New()))
		flow := sb.add("wf.flow", pcommon.SpanID{}, 0, time.Second, map[string]any{"agora.flow": "wf"})
		for n := range 4 {
			name := fmt.Sprintf("N%d", n)
			node := sb.add(name+".node", flow.SpanID(), 0, time.Second, map[string]any{"agora.node": name, "agora.kind": "node"})
			for _, ph := range []string{"prep", "exec", "post"} {
				p := sb.add(name+"."+ph, node.SpanID(), 0, time.Second, map[string]any{"agora.node": name, "agora.phase": ph, "duration_ms": 5.0, "retry_count": 1})
				if ph == "exec" && n == 1 {
					sb.add("chat", p.SpanID(), 0, time.Second, map[string]any{"gen_ai.system": "openai", "gen_ai.usage.input_tokens": 8, "gen_ai.usage.output_tokens": 9})
				}
			}
		}
		batches[i] = sb.td
	}
	spans := batches[0].SpanCount()
	b.Run("fold", func(b *testing.B) {
		s := newState(testConfig())
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			fold(s, batches[i%len(batches)], t0)
			if i%len(batches) == len(batches)-1 {
				flushLogs(s, t0)
			}
			i++
		}
		b.ReportMetric(float64(b.N*spans)/b.Elapsed().Seconds(), "spans/s")
	})
	// baseline: only visit the same spans and read the attributes a fold reads.
	b.Run("baseline", func(b *testing.B) {
		keys := []string{agora.AttrExecutionID, "agora.flow", "agora.phase", "agora.kind", "agora.node", "duration_ms", "retry_count", "gen_ai.system", "gen_ai.usage.input_tokens"}
		found := 0
		i := 0
		for b.Loop() {
			for _, sp := range batches[i%len(batches)].ResourceSpans().At(0).ScopeSpans().At(0).Spans().All() {
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

// TestMemoryPerExecution measures the heap one in-flight execution (18
// spans folded) holds; the figure goes into the README.
func TestMemoryPerExecution(t *testing.T) {
	const n = 2000
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	s := newState(testConfig())
	for range n {
		sb := newSpans(pcommon.TraceID(uuid.New()))
		flow := sb.add("wf.flow", pcommon.SpanID{}, 0, time.Second, map[string]any{"agora.flow": "wf"})
		for k := range 4 {
			name := fmt.Sprintf("N%d", k)
			node := sb.add(name+".node", flow.SpanID(), 0, time.Second, map[string]any{"agora.node": name, "agora.kind": "node"})
			for _, ph := range []string{"prep", "exec", "post"} {
				sb.add(name+"."+ph, node.SpanID(), 0, time.Second, map[string]any{"agora.node": name, "agora.phase": ph, "duration_ms": 5.0})
			}
		}
		fold(s, sb.td, t0)
	}
	runtime.GC()
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	perExec := float64(after.HeapAlloc-before.HeapAlloc) / n
	t.Logf("heap per in-flight execution (4 nodes, 17 spans): %.0f bytes", perExec)
	assert.Len(t, s.execs, n)
	assert.Less(t, perExec, 64.0*1024, "an in-flight execution stays small")
	runtime.KeepAlive(s)
}

// host offers the real file_storage extension.
type storageHost struct {
	component.Host
	exts map[component.ID]component.Component
}

func (h storageHost) GetExtensions() map[component.ID]component.Component { return h.exts }

// TestRestartKeepsState: a collector restarts mid-execution; the completion
// that arrives after the restart updates the whole record, not a partial one.
func TestRestartKeepsState(t *testing.T) {
	dir := t.TempDir()
	storageID := component.MustNewIDWithName("file_storage", "state")
	newHost := func() (storageHost, func()) {
		f := filestorage.NewFactory()
		cfg := f.CreateDefaultConfig().(*filestorage.Config)
		cfg.Directory = dir
		ext, err := f.Create(context.Background(), extensiontest.NewNopSettings(f.Type()), cfg)
		require.NoError(t, err)
		require.NoError(t, ext.Start(context.Background(), componenttest.NewNopHost()))
		return storageHost{Host: componenttest.NewNopHost(), exts: map[component.ID]component.Component{storageID: ext}},
			func() { require.NoError(t, ext.Shutdown(context.Background())) }
	}
	run := func(feed func(p *executionProcessor)) []agora.Execution {
		host, stop := newHost()
		defer stop()
		f := NewFactory()
		cfg := f.CreateDefaultConfig().(*Config)
		cfg.Storage = &storageID
		set := processortest.NewNopSettings(metadata.Type)
		sink := new(consumertest.LogsSink)
		tp, err := f.CreateTraces(context.Background(), set, cfg, consumertest.NewNop())
		require.NoError(t, err)
		_, err = f.CreateLogs(context.Background(), set, cfg, sink)
		require.NoError(t, err)
		require.NoError(t, tp.Start(context.Background(), host))
		feed(tp.(*executionProcessor))
		require.NoError(t, tp.Shutdown(context.Background()))
		var out []agora.Execution
		for _, ld := range sink.AllLogs() {
			execs, _ := records(t, ld)
			for _, e := range execs {
				out = append(out, e)
			}
		}
		return out
	}
	exec := uuid.New()
	sc := apiScope("org-1", exec)
	in := pcommon.NewValueMap()
	in.Map().PutStr("q", "2+2")
	in.Map().PutInt("n", 4)
	in.Map().PutDouble("x", 0.5)

	// prepare: before the restart, a start and two nodes
	before := run(func(p *executionProcessor) {
		ld := plog.NewLogs()
		rl := ld.ResourceLogs().AppendEmpty()
		rl.Resource().Attributes().PutStr(agora.AttrOrgID, "org-1")
		lrs := rl.ScopeLogs().AppendEmpty().LogRecords()
		(&agora.ExecutionStart{Scope: sc, StartedAt: t0, Input: in}).Append(lrs)
		for i, name := range []string{"A", "B"} {
			(&agora.NodeExecution{Scope: sc, ID: uuid.New(), NodeName: name, Status: "success", StartedAt: t0.Add(time.Duration(i) * time.Second), RetryCount: 1,
				Input: pcommon.NewValueEmpty(), Output: pcommon.NewValueEmpty()}).Append(lrs)
		}
		require.NoError(t, p.ConsumeLogs(context.Background(), ld))
	})
	require.Len(t, before, 1)
	require.Equal(t, "running", before[0].Status)

	// test: after the restart, only the completion arrives
	after := run(func(p *executionProcessor) {
		ld := plog.NewLogs()
		rl := ld.ResourceLogs().AppendEmpty()
		rl.Resource().Attributes().PutStr(agora.AttrOrgID, "org-1")
		(&agora.ExecutionCompletion{Scope: agora.Scope{ExecutionID: exec}, Status: "success", CompletedAt: t0.Add(5 * time.Second), DurationMs: 5000,
			Output: pcommon.NewValueEmpty()}).Append(rl.ScopeLogs().AppendEmpty().LogRecords())
		require.NoError(t, p.ConsumeLogs(context.Background(), ld))
	})

	// verify: the record is whole
	require.Len(t, after, 1)
	e := after[0]
	assert.Equal(t, "success", e.Status)
	assert.Equal(t, int64(2), e.NodeCount, "nodes folded before the restart are still counted")
	assert.Equal(t, int64(2), e.RetryCount)
	assert.Equal(t, "wf", e.WorkflowName)
	assert.Equal(t, map[string]any{"q": "2+2", "n": int64(4), "x": 0.5}, e.Input.Map().AsRaw(), "types survive the snapshot")
}

func TestStartDateStaysOnceEmitted(t *testing.T) {
	// prepare: node spans just after midnight arrive first and are emitted
	s := newState(testConfig())
	trace := pcommon.TraceID(uuid.New())
	midnight := time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)
	b := newSpans(trace)
	n := b.add("A.node", pcommon.SpanID{7}, midnight.Sub(t0)+time.Second, midnight.Sub(t0)+2*time.Second, map[string]any{"agora.node": "A", "agora.kind": "node"})
	_ = n
	fold(s, b.td, t0)
	execs, _ := records(t, flushLogs(s, t0))
	first := execs[uuid.UUID(trace)].StartedAt
	// test: the flow span started before midnight, the day before
	b2 := newSpans(trace)
	b2.add("wf.flow", pcommon.SpanID{}, midnight.Sub(t0)-time.Second, midnight.Sub(t0)+3*time.Second, map[string]any{"agora.flow": "wf"})
	fold(s, b2.td, t0)
	execs, _ = records(t, flushLogs(s, t0))
	// verify: the start date (the table's partition) is kept
	assert.Equal(t, first, execs[uuid.UUID(trace)].StartedAt)
	assert.True(t, sameDay(first, midnight))
}
