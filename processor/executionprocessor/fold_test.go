package executionprocessor

import (
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/agora-otelcol/agora-otelcol/internal/agora"
)

// One test per event type, // prepare // test // verify, asserting whole
// records as the exporter would store them.

func TestStartNodeReportComplete(t *testing.T) {
	// prepare
	s := newState(testConfig())
	exec := uuid.New()
	sc := apiScope(testOrg, exec)
	in := pcommon.NewValueMap()
	in.Map().PutStr("q", "2+2")
	out := pcommon.NewValueMap()
	out.Map().PutInt("a", 4)
	node := agora.NodeExecution{Scope: sc, ID: agora.NodeExecutionID(exec, "A", t0), NodeName: "A", NodeType: "T",
		Status: agora.StatusSuccess, StartedAt: t0, RetryCount: 1, TotalTokens: ptr(int64(5)), Input: pcommon.NewValueEmpty(), Output: pcommon.NewValueEmpty()}
	// test
	send(s, testOrg, t0, started(agora.ExecutionStart{Scope: sc, StartedAt: t0, Input: in}), reported(node),
		completed(agora.ExecutionCompletion{Scope: agora.Scope{ExecutionID: exec}, Status: agora.StatusSuccess,
			CompletedAt: t0.Add(5 * time.Second), DurationMs: 5000, Output: out}))
	execs, nodes := emitted(t, flushLogs(s, t0.Add(time.Second)))
	// verify
	assert.Equal(t, agora.Execution{Scope: sc, Status: agora.StatusSuccess, StartedAt: t0, CompletedAt: ptr(t0.Add(5 * time.Second)),
		DurationMs: ptr(5000.0), Input: in, Output: out, NodeCount: 1, RetryCount: 1, TotalTokens: 5, LastSeen: t0, Source: "api"}, execs[exec])
	node.NodeID = agora.NodeID(sc.WorkflowID, "A")
	assert.Equal(t, node, nodes["A"])
}

func TestTracerRun(t *testing.T) {
	// prepare
	s := newState(testConfig())
	trace := pcommon.TraceID(uuid.New())
	exec := uuid.UUID(trace)
	// test
	fold(s, tracerRun(trace, 2).td, t0)
	execs, nodes := emitted(t, flushLogs(s, t0))
	// verify
	sc := otlpScope(exec)
	assert.Equal(t, agora.Execution{Scope: sc, Status: agora.StatusSuccess, StartedAt: t0, CompletedAt: ptr(t0.Add(time.Second)),
		DurationMs: ptr(1000.0), Input: pcommon.NewValueEmpty(), Output: pcommon.NewValueEmpty(), NodeCount: 2,
		PromptTokens: 8, CompletionTokens: 9, TotalTokens: 17, LastSeen: t0, Source: "otlp", TraceIDs: []string{trace.String()}}, execs[exec])
	b := t0.Add(10 * time.Millisecond)
	assert.Equal(t, agora.NodeExecution{Scope: sc, ID: agora.NodeExecutionID(exec, "B", b), NodeID: agora.NodeID(sc.WorkflowID, "B"),
		NodeName: "B", Status: agora.StatusSuccess, StartedAt: b, CompletedAt: ptr(b.Add(9 * time.Millisecond)),
		PrepDurationMs: ptr(3.0), ExecDurationMs: ptr(3.0), PostDurationMs: ptr(3.0), Input: pcommon.NewValueEmpty(), Output: pcommon.NewValueEmpty(),
		PromptTokens: ptr(int64(8)), CompletionTokens: ptr(int64(9)), TotalTokens: ptr(int64(17))}, nodes["B"])
	assert.Nil(t, nodes["A"].TotalTokens, "usage belongs to the node whose exec made the call")
}

// TestOutOfOrderSpans: LLM call, phases, nodes, then the flow, each in its
// own request: the same records as in order.
func TestOutOfOrderSpans(t *testing.T) {
	// prepare
	trace := pcommon.TraceID(uuid.New())
	inOrder := newState(testConfig())
	fold(inOrder, tracerRun(trace, 3).td, t0)
	want, wantNodes := emitted(t, flushLogs(inOrder, t0))
	// test: every span alone, last span first
	s := newState(testConfig())
	spans := tracerRun(trace, 3).td.ResourceSpans().At(0).ScopeSpans().At(0).Spans()
	for i := spans.Len() - 1; i >= 0; i-- {
		b := newSpans(trace)
		spans.At(i).CopyTo(b.td.ResourceSpans().At(0).ScopeSpans().At(0).Spans().AppendEmpty())
		fold(s, b.td, t0)
	}
	got, gotNodes := emitted(t, flushLogs(s, t0))
	// verify
	assert.Equal(t, want, got)
	assert.Equal(t, wantNodes, gotNodes)
}

func TestUsageCountedOnce(t *testing.T) {
	// prepare: an exec span repeating the usage of its child LLM spans
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
	execs, nodes := emitted(t, flushLogs(s, t0))
	// verify
	a := nodes["A"]
	assert.Equal(t, []int64{11, 22, 33}, []int64{*a.PromptTokens, *a.CompletionTokens, *a.TotalTokens}, "LLM spans only; the exec span's repeat is not added")
	assert.InDelta(t, (10*1.0+20*2.0)/1e6+0.5, *a.EstimatedCost, 1e-12, "priced by model pattern; the sender's cost wins")
	assert.Equal(t, int64(33), execs[uuid.UUID(trace)].TotalTokens)
}

func TestCompleteBeforeLastNodeAndLateData(t *testing.T) {
	// prepare
	s := newState(testConfig())
	exec := uuid.New()
	sc := apiScope(testOrg, exec)
	send(s, testOrg, t0, started(agora.ExecutionStart{Scope: sc, StartedAt: t0}),
		reported(agora.NodeExecution{Scope: sc, ID: uuid.New(), NodeName: "A", Status: agora.StatusSuccess, StartedAt: t0}))
	// test: complete arrives before the last node report
	send(s, testOrg, t0, completed(agora.ExecutionCompletion{Scope: agora.Scope{ExecutionID: exec}, Status: agora.StatusError,
		ErrorMessage: "B failed", CompletedAt: t0.Add(time.Second), DurationMs: 1000}))
	execs, _ := emitted(t, flushLogs(s, t0))
	require.Equal(t, agora.StatusError, execs[exec].Status)
	send(s, testOrg, t0.Add(2*time.Second), reported(agora.NodeExecution{Scope: agora.Scope{ExecutionID: exec}, ID: uuid.New(),
		NodeName: "B", Status: agora.StatusError, ErrorMessage: "boom", RetryCount: 3, StartedAt: t0}))
	execs, nodes := emitted(t, flushLogs(s, t0.Add(2*time.Second)))
	// verify: the late node updates the aggregates; the status stays
	e := execs[exec]
	assert.Equal(t, []any{agora.StatusError, "B failed", int64(2), int64(1), int64(3)}, []any{e.Status, e.ErrorMessage, e.NodeCount, e.ErrorCount, e.RetryCount})
	assert.Equal(t, "wf", nodes["B"].WorkflowName, "the execution's names reach nodes reported without them")
	assert.NotContains(t, nodes, "A", "only what changed is emitted again")
}

// TestFlowNamesAPIExecution: the SDK started execution X through the JSON
// API; agora_tracer spans of trace T come first (and are emitted under T),
// then the flow span naming X.
func TestFlowNamesAPIExecution(t *testing.T) {
	// prepare
	s := newState(testConfig())
	exec := uuid.New()
	send(s, testOrg, t0, started(agora.ExecutionStart{Scope: apiScope(testOrg, exec), StartedAt: t0}))
	trace := pcommon.TraceID(uuid.New())
	b := newSpans(trace)
	b.add("A.node", pcommon.SpanID{9}, 0, time.Millisecond, map[string]any{"agora.node": "A", "agora.kind": "node"})
	fold(s, b.td, t0)
	early, _ := emitted(t, flushLogs(s, t0))
	require.Contains(t, early, uuid.UUID(trace), "emitted under the trace while nothing names the run")
	// test
	b2 := newSpans(trace)
	b2.add("wf.flow", pcommon.SpanID{}, 0, 2*time.Millisecond, map[string]any{"agora.flow": "wf", "execution_id": exec.String()})
	fold(s, b2.td, t0)
	ld := flushLogs(s, t0)
	// verify: the trace's record and node are retracted; one execution with the node
	var retracted []string
	for _, lr := range ld.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().All() {
		deleted := false
		switch lr.EventName() {
		case agora.EventExecutionRecord:
			x, err := agora.DecodeExecution(lr)
			require.NoError(t, err)
			deleted = x.Deleted
		case agora.EventNodeExecutionRecord:
			n, err := agora.DecodeNodeExecution(lr)
			require.NoError(t, err)
			deleted = n.Deleted
		}
		if deleted {
			assert.Equal(t, uuid.UUID(trace), uuid.UUID(lr.TraceID()))
			retracted = append(retracted, lr.EventName())
		}
	}
	assert.ElementsMatch(t, []string{agora.EventExecutionRecord, agora.EventNodeExecutionRecord}, retracted)
	execs, nodes := emitted(t, ld)
	x := execs[exec]
	assert.Equal(t, []any{int64(1), "api+otlp", []string{trace.String()}}, []any{x.NodeCount, x.Source, x.TraceIDs})
	assert.Equal(t, agora.NodeExecutionID(exec, "A", t0), nodes["A"].ID, "node ids derive from the execution they belong to")
	assert.Equal(t, exec, nodes["A"].ExecutionID)
}

func TestStartDateStaysOnceEmitted(t *testing.T) {
	// prepare: node spans just after midnight arrive first and are emitted
	s := newState(testConfig())
	trace := pcommon.TraceID(uuid.New())
	midnight := time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)
	b := newSpans(trace)
	b.add("A.node", pcommon.SpanID{7}, midnight.Sub(t0)+time.Second, midnight.Sub(t0)+2*time.Second, map[string]any{"agora.node": "A", "agora.kind": "node"})
	fold(s, b.td, t0)
	execs, _ := emitted(t, flushLogs(s, t0))
	first := execs[uuid.UUID(trace)].StartedAt
	// test: the flow span started before midnight, the day before
	b2 := newSpans(trace)
	b2.add("wf.flow", pcommon.SpanID{}, midnight.Sub(t0)-time.Second, midnight.Sub(t0)+3*time.Second, map[string]any{"agora.flow": "wf"})
	fold(s, b2.td, t0)
	execs, _ = emitted(t, flushLogs(s, t0))
	// verify: the start date (the table's partition) is kept
	assert.Equal(t, first, execs[uuid.UUID(trace)].StartedAt)
	assert.Equal(t, midnight.Add(time.Second), first)
}

// TestOnlyChangesAreEmitted: an execution of 2,000 nodes, then five single
// spans: each flush emits the changed node and the execution, not all nodes.
func TestOnlyChangesAreEmitted(t *testing.T) {
	// prepare
	s := newState(testConfig())
	trace := pcommon.TraceID(uuid.New())
	b := newSpans(trace)
	for i := range 2000 {
		b.add("N.node", pcommon.SpanID{}, time.Duration(i)*time.Millisecond, time.Duration(i+1)*time.Millisecond, map[string]any{"agora.node": "N", "agora.kind": "node"})
	}
	fold(s, b.td, t0)
	require.Equal(t, 2001, flushLogs(s, t0).LogRecordCount())
	// test
	total := 0
	for i := range 5 {
		one := newSpans(trace)
		one.n = byte(100 + i)
		one.add("N.node", pcommon.SpanID{}, time.Hour+time.Duration(i)*time.Millisecond, time.Hour+time.Duration(i+1)*time.Millisecond,
			map[string]any{"agora.node": "N", "agora.kind": "node"})
		fold(s, one.td, t0)
		total += flushLogs(s, t0).LogRecordCount()
	}
	// verify
	assert.Equal(t, 10, total, "5 x (the new node + the execution), not 5 x 2,000")
}

func TestPlainSpansStartNothing(t *testing.T) {
	s := newState(testConfig())
	b := newSpans(pcommon.TraceID(uuid.New()))
	b.add("GET /", pcommon.SpanID{}, 0, time.Second, map[string]any{"http.method": "GET"})
	fold(s, b.td, t0)
	assert.Equal(t, 0, flushLogs(s, t0).LogRecordCount(), "a trace with no Agora or LLM span is no execution")
}

var _ = plog.NewLogs

// TestLaterSettledVersionsAreMarked: a record's first settled version goes
// out plain, every later version of it marked agora.AttrRecordRepeat (the
// metrics connector counts the first alone); running versions never are.
func TestLaterSettledVersionsAreMarked(t *testing.T) {
	s := newState(testConfig())
	trace := pcommon.TraceID(uuid.New())
	all := tracerRun(trace, 2).td
	flow, rest := ptrace.NewTraces(), ptrace.NewTraces()
	all.CopyTo(flow)
	all.CopyTo(rest)
	isFlow := func(sp ptrace.Span) bool { return sp.ParentSpanID().IsEmpty() }
	flow.ResourceSpans().At(0).ScopeSpans().At(0).Spans().RemoveIf(func(sp ptrace.Span) bool { return !isFlow(sp) })
	rest.ResourceSpans().At(0).ScopeSpans().At(0).Spans().RemoveIf(isFlow)
	repeats := func(ld plog.Logs) map[string]bool { // by node name, "" for the execution
		out := map[string]bool{}
		for _, lr := range ld.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().All() {
			_, repeat := lr.Attributes().Get(agora.AttrRecordRepeat)
			name := ""
			if lr.EventName() == agora.EventNodeExecutionRecord {
				n, err := agora.DecodeNodeExecution(lr)
				require.NoError(t, err)
				name = n.NodeName
			}
			out[name] = repeat
		}
		return out
	}

	fold(s, rest, t0) // the nodes, settled; the execution still running
	assert.Equal(t, map[string]bool{"A": false, "B": false, "": false}, repeats(flushLogs(s, t0)))
	fold(s, flow, t0) // the flow names the workflow: every node again, the execution settles
	assert.Equal(t, map[string]bool{"A": true, "B": true, "": false}, repeats(flushLogs(s, t0)))
	late := newSpans(trace)
	late.n = 100
	late.add("chat", pcommon.SpanID{4}, 4*time.Millisecond, 5*time.Millisecond, // under A's exec phase
		map[string]any{"gen_ai.system": "openai", "gen_ai.usage.input_tokens": 3, "gen_ai.usage.output_tokens": 4})
	fold(s, late.td, t0)
	assert.Equal(t, map[string]bool{"A": true, "": true}, repeats(flushLogs(s, t0)))
}
