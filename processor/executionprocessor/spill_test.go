package executionprocessor

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"
	"unsafe"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/agora-otelcol/agora-otelcol/internal/agora"
)

// TestSpilledExecutionIsRebuilt: beyond the per-org memory limit an
// execution waits in the journal; late telemetry rebuilds it whole.
func TestSpilledExecutionIsRebuilt(t *testing.T) {
	// prepare
	host, id, stop := storageHost(t, t.TempDir())
	defer stop()
	cfg := createDefaultConfig().(*Config)
	cfg.Storage, cfg.MaxExecutionsPerOrg, cfg.FlushInterval = &id, 10, time.Hour
	p := newPipelines(t, cfg, host)
	exec := uuid.New()
	sc := apiScope(testOrg, exec)
	require.NoError(t, p.logs.ConsumeLogs(context.Background(), apiRecords(started(agora.ExecutionStart{Scope: sc, StartedAt: t0}),
		reported(agora.NodeExecution{Scope: sc, ID: uuid.New(), NodeName: "A", Status: agora.StatusSuccess, StartedAt: t0, RetryCount: 3}))))
	for i := range 20 {
		other := apiScope(testOrg, uuid.New())
		require.NoError(t, p.logs.ConsumeLogs(context.Background(), apiRecords(started(agora.ExecutionStart{Scope: other, StartedAt: t0}),
			reported(agora.NodeExecution{Scope: other, ID: uuid.New(), NodeName: fmt.Sprint("N", i), Status: agora.StatusSuccess, StartedAt: t0}))))
	}
	ep := p.traces.(pipelineEnd).Unwrap()
	require.NotContains(t, ep.state.orgs[testOrg].execs, exec, "spilled")
	// test
	require.NoError(t, p.logs.ConsumeLogs(context.Background(), apiRecords(completed(agora.ExecutionCompletion{
		Scope: agora.Scope{ExecutionID: exec}, Status: agora.StatusError, ErrorMessage: "x", CompletedAt: t0.Add(time.Second), DurationMs: 1000}))))
	ep.mu.Lock()
	rebuilt := ep.state.stats.rehydrated
	ep.mu.Unlock()
	p.shutdown(t)
	// verify
	assert.Equal(t, int64(1), rebuilt)
	e := p.executions(t)[exec]
	assert.Equal(t, []any{agora.StatusError, int64(1), int64(3), "wf", t0}, []any{e.Status, e.NodeCount, e.RetryCount, e.WorkflowName, e.StartedAt})
}

// TestSpilledExecutionsAreVisitedWhenDue: a flush looks at a spilled
// execution only when it is due: an open one at its timeout (rebuilt to
// emit it), a finished one at the end of retention (retired). A spill
// outdated by a rebuild is not acted on.
func TestSpilledExecutionsAreVisitedWhenDue(t *testing.T) {
	// prepare: a and b open, spilled by 20 later executions
	host, id, stop := storageHost(t, t.TempDir())
	defer stop()
	cfg := createDefaultConfig().(*Config)
	cfg.Storage, cfg.MaxExecutionsPerOrg, cfg.FlushInterval = &id, 10, time.Hour
	cfg.ExecutionTimeout, cfg.Retention = time.Minute, 10*time.Minute
	p := newPipelines(t, cfg, host)
	defer p.shutdown(t)
	a, b := uuid.New(), uuid.New()
	for _, exec := range append([]uuid.UUID{a, b}, make([]uuid.UUID, 20)...) {
		if exec == uuid.Nil {
			exec = uuid.New()
		}
		require.NoError(t, p.logs.ConsumeLogs(context.Background(), apiRecords(started(agora.ExecutionStart{Scope: apiScope(testOrg, exec), StartedAt: t0}))))
	}
	ep := p.traces.(pipelineEnd).Unwrap()
	ep.mu.Lock()
	o := ep.state.orgs[testOrg]
	require.Contains(t, o.spilled, a)
	require.Contains(t, o.spilled, b)
	seen := seenOf(o, a)
	ep.mu.Unlock()
	// b finishes: rebuilt, then spilled again as finished at the next flush
	require.NoError(t, p.logs.ConsumeLogs(context.Background(), apiRecords(completed(agora.ExecutionCompletion{
		Scope: agora.Scope{ExecutionID: b}, Status: agora.StatusSuccess, CompletedAt: t0.Add(time.Second), DurationMs: 1000}))))
	ep.mu.Lock()
	defer ep.mu.Unlock()
	timedOut := map[uuid.UUID]bool{} // executions any flush emitted as timed out
	flush := func(now time.Time) {
		out := flushLogs(ep.state, now)
		for _, rl := range out.ResourceLogs().All() {
			for _, sl := range rl.ScopeLogs().All() {
				for _, lr := range sl.LogRecords().All() {
					if x, err := agora.DecodeExecution(lr); err == nil && lr.EventName() == agora.EventExecutionRecord && x.Status == agora.StatusTimeout {
						timedOut[x.ExecutionID] = true
					}
				}
			}
		}
	}
	flush(seen)
	require.Contains(t, o.spilled, b)
	bSeen := seenOf(o, b)

	// test + verify: nothing is due before a's timeout
	flush(seen.Add(cfg.ExecutionTimeout - time.Second))
	assert.Contains(t, o.spilled, a)
	// at it, a is rebuilt and times out; b's outdated open spill is not acted on
	flush(seen.Add(cfg.ExecutionTimeout))
	require.Contains(t, o.execs, a)
	assert.Equal(t, agora.StatusTimeout, o.execs[a].rec.Status)
	assert.Contains(t, o.spilled, b)
	// the next flush spills a again, now finished; both are kept for retention
	flush(seen.Add(cfg.ExecutionTimeout))
	require.Contains(t, o.spilled, a)
	aSeen := seenOf(o, a)
	first := aSeen
	if bSeen.Before(first) {
		first = bSeen
	}
	flush(first.Add(cfg.Retention - time.Second))
	assert.Contains(t, o.spilled, a)
	assert.Contains(t, o.spilled, b)
	// then each is retired at the end of its retention
	flush(aSeen.Add(cfg.Retention))
	assert.NotContains(t, o.spilled, a)
	flush(bSeen.Add(cfg.Retention))
	assert.NotContains(t, o.spilled, b)
	assert.True(t, timedOut[a])
	assert.False(t, timedOut[b], "b finished: its outdated open spill never timed it out")
}

func seenOf(o *orgState, exec uuid.UUID) time.Time {
	sp := o.spilled[exec]
	return sp.seen()
}

// TestSpilledJournalEntriesInlineAndBeyond: a spilled execution keeps its
// journal entries inline up to inlineSeqs and in spillRest beyond; either
// way it is rebuilt from all of them, and retiring it deletes all of them.
func TestSpilledJournalEntriesInlineAndBeyond(t *testing.T) {
	// prepare: small in one request, big in seven, both spilled by 20 others
	host, id, stop := storageHost(t, t.TempDir())
	defer stop()
	cfg := createDefaultConfig().(*Config)
	cfg.Storage, cfg.MaxExecutionsPerOrg, cfg.FlushInterval = &id, 10, time.Hour
	cfg.Retention = 10 * time.Minute
	p := newPipelines(t, cfg, host)
	defer p.shutdown(t)
	ctx := context.Background()
	small, big := uuid.New(), uuid.New()
	node := func(sc agora.Scope, name string) func(plog.LogRecordSlice) {
		return reported(agora.NodeExecution{Scope: sc, ID: uuid.New(), NodeName: name, Status: agora.StatusSuccess, StartedAt: t0})
	}
	require.NoError(t, p.logs.ConsumeLogs(ctx, apiRecords(started(agora.ExecutionStart{Scope: apiScope(testOrg, small), StartedAt: t0}), node(apiScope(testOrg, small), "S"))))
	require.NoError(t, p.logs.ConsumeLogs(ctx, apiRecords(started(agora.ExecutionStart{Scope: apiScope(testOrg, big), StartedAt: t0}))))
	for i := range 6 {
		require.NoError(t, p.logs.ConsumeLogs(ctx, apiRecords(node(apiScope(testOrg, big), fmt.Sprint("B", i)))))
	}
	for range 20 {
		other := apiScope(testOrg, uuid.New())
		require.NoError(t, p.logs.ConsumeLogs(ctx, apiRecords(started(agora.ExecutionStart{Scope: other, StartedAt: t0}))))
	}
	ep := p.traces.(pipelineEnd).Unwrap()
	ep.mu.Lock()
	o := ep.state.orgs[testOrg]
	require.Contains(t, o.spilled, small)
	require.Contains(t, o.spilled, big)
	assert.Equal(t, uint8(1), o.spilled[small].n, "one entry, inline")
	assert.Equal(t, uint8(restN), o.spilled[big].n, "seven entries: beyond inline")
	bigSeqs, _ := o.spilledParts(big, ptr(o.spilled[big]))
	assert.Len(t, bigSeqs, 7)
	ep.mu.Unlock()

	// test: both complete late, are rebuilt, then retired at retention's end
	for _, exec := range []uuid.UUID{small, big} {
		require.NoError(t, p.logs.ConsumeLogs(ctx, apiRecords(completed(agora.ExecutionCompletion{
			Scope: agora.Scope{ExecutionID: exec}, Status: agora.StatusSuccess, CompletedAt: t0.Add(time.Second), DurationMs: 1000}))))
	}
	ep.mu.Lock()
	defer ep.mu.Unlock()
	execs, _ := emitted(t, flushLogs(ep.state, time.Now()))
	ep.state.flush(time.Now().Add(cfg.Retention + time.Minute))
	drops := ep.journal.drops

	// verify
	assert.Equal(t, int64(1), execs[small].NodeCount)
	assert.Equal(t, int64(6), execs[big].NodeCount, "rebuilt from every entry")
	assert.NotContains(t, o.spilled, big)
	assert.NotContains(t, o.spillRest, big)
	assert.Subset(t, drops, bigSeqs, "retiring deletes every entry")
}

// TestSpilledIsSmallAndPointerFree: what each execution kept for retention
// holds in memory (the README's figures); without pointers the garbage
// collector does not scan the map and heap of them.
func TestSpilledIsSmallAndPointerFree(t *testing.T) {
	assert.Equal(t, uintptr(48), unsafe.Sizeof(spilled{}))
	assert.Equal(t, uintptr(32), unsafe.Sizeof(due{}))
	for _, v := range []any{spilled{}, due{}} {
		typ := reflect.TypeOf(v)
		for i := range typ.NumField() {
			switch typ.Field(i).Type.Kind() {
			case reflect.Pointer, reflect.Slice, reflect.Map, reflect.String, reflect.Interface, reflect.Func, reflect.Chan:
				t.Errorf("%s.%s holds a pointer", typ.Name(), typ.Field(i).Name)
			}
		}
	}
}

// TestRebuiltExecutionKeepsItsStartDay: a spilled execution rebuilt by a
// span that moves its start to the day before still emits on its first
// version's day (the executions table's partition).
func TestRebuiltExecutionKeepsItsStartDay(t *testing.T) {
	// prepare: a node span just after midnight, emitted, then spilled by 20 others
	ctx := context.Background()
	host, id, stop := storageHost(t, t.TempDir())
	defer stop()
	cfg := createDefaultConfig().(*Config)
	cfg.Storage, cfg.MaxExecutionsPerOrg, cfg.FlushInterval = &id, 10, time.Hour
	p := newPipelines(t, cfg, host)
	midnight := time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)
	at := func(d time.Duration) time.Duration { return midnight.Sub(t0) + d }
	trace := pcommon.TraceID(uuid.New())
	node := newSpans(trace)
	node.add("A.node", pcommon.SpanID{7}, at(time.Second), at(2*time.Second), map[string]any{"agora.node": "A", "agora.kind": "node"})
	require.NoError(t, p.traces.ConsumeTraces(ctx, node.td))
	ep := p.traces.(pipelineEnd).Unwrap()
	require.NoError(t, ep.flush(ctx))
	for range 20 {
		require.NoError(t, p.logs.ConsumeLogs(ctx, apiRecords(started(agora.ExecutionStart{Scope: apiScope(testOrg, uuid.New()), StartedAt: t0}))))
	}
	ep.mu.Lock()
	require.Contains(t, ep.state.orgs[testOrg].spilled, uuid.UUID(trace))
	ep.mu.Unlock()

	// test: the flow span, started the day before, rebuilds it
	flow := newSpans(trace)
	flow.add("wf.flow", pcommon.SpanID{}, at(-time.Second), at(3*time.Second), map[string]any{"agora.flow": "wf"})
	require.NoError(t, p.traces.ConsumeTraces(ctx, flow.td))
	p.shutdown(t)

	// verify
	e := p.executions(t)[uuid.UUID(trace)]
	assert.Equal(t, midnight.Add(time.Second), e.StartedAt)
	assert.Equal(t, "wf", e.WorkflowName)
}
