package executionprocessor

import (
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/agora-otelcol/agora-otelcol/internal/agora"
)

func TestTimeoutThenLateCompletion(t *testing.T) {
	// prepare
	s := newState(testConfig())
	exec := uuid.New()
	send(s, testOrg, t0, started(agora.ExecutionStart{Scope: apiScope(testOrg, exec), StartedAt: t0}))
	execs, _ := emitted(t, flushLogs(s, t0))
	require.Equal(t, agora.StatusRunning, execs[exec].Status)
	// test + verify: quiet for less than the timeout: nothing to emit
	assert.Equal(t, 0, flushLogs(s, t0.Add(59*time.Second)).LogRecordCount())
	execs, _ = emitted(t, flushLogs(s, t0.Add(61*time.Second)))
	assert.Equal(t, agora.StatusTimeout, execs[exec].Status)
	assert.Equal(t, int64(1), s.stats.timedOut)
	// a late completion still wins
	send(s, testOrg, t0.Add(70*time.Second), completed(agora.ExecutionCompletion{Scope: agora.Scope{ExecutionID: exec}, Status: agora.StatusSuccess, CompletedAt: t0.Add(70 * time.Second)}))
	execs, _ = emitted(t, flushLogs(s, t0.Add(70*time.Second)))
	assert.Equal(t, agora.StatusSuccess, execs[exec].Status)
	// retention forgets it
	flushLogs(s, t0.Add(70*time.Second+10*time.Minute))
	assert.Empty(t, s.orgs)
}

// TestOneOrgCannotEvictAnother: org B floods the state with new traces; org
// A's running execution stays, and its final record is complete.
func TestOneOrgCannotEvictAnother(t *testing.T) {
	// prepare
	cfg := testConfig()
	cfg.MaxExecutions, cfg.MaxExecutionsPerOrg = 100, 50
	s := newState(cfg)
	exec := uuid.New()
	sc := apiScope(testOrg, exec)
	send(s, testOrg, t0, started(agora.ExecutionStart{Scope: sc, StartedAt: t0}),
		reported(agora.NodeExecution{Scope: sc, ID: uuid.New(), NodeName: "A", Status: agora.StatusSuccess, StartedAt: t0, RetryCount: 2}))
	// test: 1,000 executions of org B, one span each
	for i := range 1000 {
		b := newSpans(pcommon.TraceID(uuid.New()))
		b.td.ResourceSpans().At(0).Resource().Attributes().PutStr(agora.AttrOrgID, "org-b")
		b.add("x.flow", pcommon.SpanID{}, 0, time.Second, map[string]any{agora.SpanAttrFlow: fmt.Sprint("wf", i)})
		fold(s, b.td, t0)
	}
	send(s, testOrg, t0.Add(time.Second), completed(agora.ExecutionCompletion{Scope: agora.Scope{ExecutionID: exec}, Status: agora.StatusSuccess, CompletedAt: t0.Add(time.Second)}))
	execs, _ := emitted(t, flushLogs(s, t0.Add(time.Second)))
	// verify
	a := execs[exec]
	assert.Equal(t, []any{agora.StatusSuccess, t0, int64(1), int64(2), "wf"}, []any{a.Status, a.StartedAt, a.NodeCount, a.RetryCount, a.WorkflowName})
	assert.Equal(t, int64(1000-50), s.stats.evicted["org-b"], "org B evicted only its own executions")
	assert.Zero(t, s.stats.evicted[testOrg])
	assert.Len(t, s.orgs["org-b"].execs, 50)
}

func TestTenantsApart(t *testing.T) {
	s := newState(testConfig())
	exec := uuid.New()
	send(s, testOrg, t0, started(agora.ExecutionStart{Scope: apiScope(testOrg, exec), StartedAt: t0}))
	send(s, "org-2", t0, completed(agora.ExecutionCompletion{Scope: agora.Scope{ExecutionID: exec}, Status: agora.StatusSuccess, CompletedAt: t0}))
	ld := flushLogs(s, t0)
	require.Equal(t, 2, ld.ResourceLogs().Len(), "one resource per org")
	for _, rl := range ld.ResourceLogs().All() {
		e, err := agora.DecodeExecution(rl.ScopeLogs().At(0).LogRecords().At(0))
		require.NoError(t, err)
		if agora.Str(rl.Resource().Attributes(), agora.AttrOrgID) == testOrg {
			assert.Equal(t, agora.StatusRunning, e.Status, "org-2's completion never touches org-1's execution")
		} else {
			assert.Equal(t, agora.StatusSuccess, e.Status)
		}
	}
}

func TestNodeCapMarksTruncated(t *testing.T) {
	cfg := testConfig()
	cfg.MaxNodesPerExecution = 3
	s := newState(cfg)
	exec := uuid.New()
	for i := range 5 {
		send(s, testOrg, t0, reported(agora.NodeExecution{Scope: apiScope(testOrg, exec), ID: uuid.New(), NodeName: fmt.Sprint("N", i),
			Status: agora.StatusSuccess, StartedAt: t0}))
	}
	execs, nodes := emitted(t, flushLogs(s, t0))
	assert.Equal(t, int64(3), execs[exec].NodeCount)
	assert.True(t, execs[exec].Truncated)
	assert.Len(t, nodes, 3)
}

// TestEvictedExecutionIsNotFoldedInto: the execution an org looked up
// last, once pushed out of memory (here by another org's), is not where
// its next span goes: that span starts the execution again, and its record
// is emitted.
func TestEvictedExecutionIsNotFoldedInto(t *testing.T) {
	cfg := testConfig()
	cfg.MaxExecutions = 1
	s := newState(cfg)
	traceA := pcommon.TraceID(uuid.New())
	a := newSpans(traceA)
	a.add("A.flow", pcommon.SpanID{}, 0, time.Second, map[string]any{agora.SpanAttrFlow: "wf-a"})
	fold(s, a.td, t0)
	b := newSpans(pcommon.TraceID(uuid.New()))
	b.td.ResourceSpans().At(0).Resource().Attributes().PutStr(agora.AttrOrgID, "org-b")
	b.add("B.flow", pcommon.SpanID{}, 0, time.Second, map[string]any{agora.SpanAttrFlow: "wf-b"})
	fold(s, b.td, t0) // pushes A out
	require.Empty(t, s.orgs[testOrg].execs)
	again := newSpans(traceA)
	again.add("Late.node", pcommon.SpanID{1}, 0, time.Second, map[string]any{agora.SpanAttrNode: "Late", agora.SpanAttrKind: agora.KindNode})
	fold(s, again.td, t0.Add(time.Second))
	require.Len(t, s.orgs[testOrg].execs, 1)
	_, nodes := emitted(t, flushLogs(s, t0.Add(time.Second)))
	var names []string
	for _, n := range nodes {
		names = append(names, n.NodeName)
	}
	assert.Contains(t, names, "Late", "the span after A's eviction is folded into a live execution")
}
