package executionprocessor

import (
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/agora-otelcol/agora-otelcol/internal/agora"
)

var t0 = time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)

const testOrg = "org-1"

func testConfig() *Config {
	cfg := createDefaultConfig().(*Config)
	cfg.ExecutionTimeout, cfg.Retention = time.Minute, 10*time.Minute
	return cfg
}

func ptr[T any](v T) *T { return &v }

// spanBuilder makes agora_tracer-style spans of one trace.
type spanBuilder struct {
	td    ptrace.Traces
	trace pcommon.TraceID
	n     byte
}

func newSpans(trace pcommon.TraceID) *spanBuilder {
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr(agora.AttrOrgID, testOrg)
	rs.Resource().Attributes().PutStr(agora.ResourceProject, "proj")
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
		o := s.org(agora.Str(rs.Resource().Attributes(), agora.AttrOrgID), "acme")
		for _, sp := range rs.ScopeSpans().At(0).Spans().All() {
			var f spanFacts
			interpret(&f, sp, s.cfg.Prices)
			s.foldSpan(o, "proj", &f, now)
		}
	}
}

// send folds Agora API records of org, encoded by the one codec, as
// ConsumeLogs does.
func send(s *state, org string, now time.Time, records ...func(plog.LogRecordSlice)) {
	lrs := plog.NewLogRecordSlice()
	for _, add := range records {
		add(lrs)
	}
	o := s.org(org, "acme")
	for _, lr := range lrs.All() {
		s.foldRecord(o, lr, now)
	}
}

func started(st agora.ExecutionStart) func(plog.LogRecordSlice) { return st.Append }

func completed(c agora.ExecutionCompletion) func(plog.LogRecordSlice) { return c.Append }

func reported(n agora.NodeExecution) func(plog.LogRecordSlice) {
	return func(lrs plog.LogRecordSlice) { n.Append(lrs, agora.EventNodeReported) }
}

// flushLogs is a flush's records in one plog.Logs.
func flushLogs(s *state, now time.Time) plog.Logs {
	ld := plog.NewLogs()
	for _, out := range s.flush(now) {
		out.ResourceLogs().MoveAndAppendTo(ld.ResourceLogs())
	}
	return ld
}

// emitted decodes a flush's output: execution records by id, node records by name.
func emitted(t *testing.T, ld plog.Logs) (map[uuid.UUID]agora.Execution, map[string]agora.NodeExecution) {
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

func apiScope(org string, exec uuid.UUID) agora.Scope {
	p := agora.ProjectID(org, "proj")
	return agora.Scope{ExecutionID: exec, ProjectName: "proj", ProjectID: p, WorkflowName: "wf", WorkflowID: agora.WorkflowID(p, "wf")}
}

// otlpScope is the scope of a flow "wf" of project "proj" seen over OTLP.
func otlpScope(exec uuid.UUID) agora.Scope {
	s := apiScope(testOrg, exec)
	return s
}

// tracerRun is one agora_tracer execution: a flow and nodes, each with
// prep/exec/post phases, the exec of node 1 making one LLM call (8+9 tokens).
func tracerRun(trace pcommon.TraceID, nodes int) *spanBuilder {
	b := newSpans(trace)
	flow := b.add("wf.flow", pcommon.SpanID{}, 0, time.Second, map[string]any{agora.SpanAttrFlow: "wf"})
	for n := range nodes {
		name := string(rune('A' + n))
		at := time.Duration(n) * 10 * time.Millisecond
		node := b.add(name+".node", flow.SpanID(), at, at+9*time.Millisecond, map[string]any{agora.SpanAttrNode: name, agora.SpanAttrKind: agora.KindNode})
		for i, ph := range []string{agora.PhasePrep, agora.PhaseExec, agora.PhasePost} {
			p := b.add(name+"."+ph, node.SpanID(), at+time.Duration(i)*3*time.Millisecond, at+time.Duration(i+1)*3*time.Millisecond,
				map[string]any{agora.SpanAttrNode: name, agora.SpanAttrPhase: ph, agora.SpanAttrDurationMs: 3.0})
			if ph == agora.PhaseExec && n == 1 {
				b.add("chat", p.SpanID(), at+4*time.Millisecond, at+5*time.Millisecond,
					map[string]any{"gen_ai.system": "openai", "gen_ai.usage.input_tokens": 8, "gen_ai.usage.output_tokens": 9})
			}
		}
	}
	return b
}
