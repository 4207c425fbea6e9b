package executionprocessor

import (
	"context"
	"fmt"
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

// TestJournaledReportsAreNotPassedOn: with storage, a request of node
// reports only (the SDK's batch) leaves nothing to pass on, and nothing is
// passed on; a start in the same kind of request still is.
func TestJournaledReportsAreNotPassedOn(t *testing.T) {
	cfg := createDefaultConfig().(*Config)
	cfg.FlushInterval = time.Hour // no records emitted meanwhile
	host, id, _ := storageHost(t, t.TempDir())
	cfg.Storage = &id
	p := newPipelines(t, cfg, host)
	exec := uuid.New()
	sc := apiScope(testOrg, exec)
	report := reported(agora.NodeExecution{Scope: sc, ID: uuid.New(), NodeName: "A", Status: agora.StatusSuccess, StartedAt: t0})
	require.NoError(t, p.logs.ConsumeLogs(context.Background(), apiRecords(report, report)))
	assert.Empty(t, p.out.AllLogs(), "an emptied request is not passed on")
	require.NoError(t, p.logs.ConsumeLogs(context.Background(), apiRecords(started(agora.ExecutionStart{Scope: sc, StartedAt: t0}), report)))
	require.Len(t, p.out.AllLogs(), 1)
	assert.Equal(t, 1, p.out.AllLogs()[0].LogRecordCount(), "the start passes on, the report does not")
	p.shutdown(t)
	assert.Equal(t, int64(1), p.executions(t)[exec].NodeCount, "the report is folded")
}

// Journal keys are "j/" and the sequence as 16 lowercase hex digits, so
// their byte order is the sequence order the journal replays in.
func TestJournalKeysSortAsSequences(t *testing.T) {
	for _, seq := range []uint64{0, 1, 0xabc, 1 << 40, ^uint64(0)} {
		assert.Equal(t, fmt.Sprintf("j/%016x", seq), journalKey(seq))
	}
	assert.Less(t, journalKey(0xff), journalKey(0x100))
}

// A journal entry replays node reports in either encoding: the compact one
// journaled now, and the map form older versions journaled.
func TestJournalReplaysReportsOfEitherEncoding(t *testing.T) {
	exec := uuid.New()
	k := key{testOrg, exec}
	in := agora.NodeExecution{Scope: apiScope(testOrg, exec), ID: uuid.New(), NodeName: "A", Status: agora.StatusError,
		StartedAt: t0, RetryCount: 2, ErrorMessage: "boom"}
	b := newBatch(t0)
	b.report(k, &in)
	legacy := plog.NewLogRecordSlice()
	in2 := in
	in2.ID, in2.NodeName = uuid.New(), "B"
	in2.Append(legacy, agora.EventNodeReported)
	b.record(k, legacy.At(0))
	require.Len(t, b.order, 1)
	raw, err := b.order[0].marshal()
	require.NoError(t, err)
	en, err := unmarshalEntry(raw)
	require.NoError(t, err)
	e := newExecution(k, "acme")
	en.replay(e, testConfig())
	var got []string
	for _, nd := range e.nodes.all() {
		got = append(got, fmt.Sprintf("%s %s %d %s", nd.rec.NodeName, nd.rec.Status, nd.rec.RetryCount, nd.rec.ErrorMessage))
	}
	assert.ElementsMatch(t, []string{"A error 2 boom", "B error 2 boom"}, got)
}

// A journal entry replays spans in either encoding, to the same records:
// the compact spans journaled now, and the stripped OTLP spans older
// versions journaled. The session the span took from its resource is kept.
func TestJournalReplaysSpansOfEitherEncoding(t *testing.T) {
	run := tracerRun(pcommon.TraceID{7}, 3)
	k := key{testOrg, uuid.UUID(pcommon.TraceID{7})}
	b := newBatch(t0)
	legacy := &entry{key: k, at: t0, kind: entryPdataSpans, traces: ptrace.NewTraces()}
	rs := legacy.traces.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr(agora.ResourceProject, "proj")
	legacySpans := rs.ScopeSpans().AppendEmpty().Spans()
	var f spanFacts
	for _, span := range run.td.ResourceSpans().At(0).ScopeSpans().At(0).Spans().All() {
		interpret(&f, span, nil)
		f.withResource("session-1", "")
		b.span(k, "proj", &f, span)
		span.CopyTo(legacySpans.AppendEmpty())
		legacySpans.At(legacySpans.Len()-1).Attributes().PutStr(agora.SessionKeys[0], "session-1")
	}
	require.Len(t, b.order, 1)
	var got []plog.Logs
	for _, en := range []*entry{b.order[0], legacy} {
		raw, err := en.marshal()
		require.NoError(t, err)
		back, err := unmarshalEntry(raw)
		require.NoError(t, err)
		e := newExecution(k, "acme")
		back.replay(e, testConfig())
		ld := plog.NewLogs()
		e.appendRecords(newOrgRecords(ld, testOrg, "acme"), agora.RecordEncodingMap, t0)
		got = append(got, ld)
	}
	execs, nodes := emitted(t, got[0])
	wantExecs, wantNodes := emitted(t, got[1])
	require.Len(t, nodes, 3)
	assert.Equal(t, wantExecs, execs)
	assert.Equal(t, wantNodes, nodes)
	assert.Equal(t, "session-1", execs[k.exec].SessionID)
	assert.Equal(t, int64(17), execs[k.exec].TotalTokens)
}

// TestStartDayStaysAcrossCrashes: the executions table is partitioned by
// start day, so once emitted every version of an execution stays on its
// first version's day, through restarts, whether the input that moves its
// start comes before a crash or after one.
func TestStartDayStaysAcrossCrashes(t *testing.T) {
	ctx := context.Background()
	midnight := time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)
	at := func(d time.Duration) time.Duration { return midnight.Sub(t0) + d }
	for _, flowBeforeCrash := range []bool{false, true} {
		t.Run(fmt.Sprint("flow before the crash: ", flowBeforeCrash), func(t *testing.T) {
			// prepare: a node span just after midnight, emitted
			dir := t.TempDir()
			cfg := createDefaultConfig().(*Config)
			cfg.FlushInterval = time.Hour
			host, id, stop := storageHost(t, dir)
			cfg.Storage = &id
			p := newPipelines(t, cfg, host)
			trace := pcommon.TraceID(uuid.New())
			exec := uuid.UUID(trace)
			node := newSpans(trace)
			node.add("A.node", pcommon.SpanID{7}, at(time.Second), at(2*time.Second), map[string]any{"agora.node": "A", "agora.kind": "node"})
			require.NoError(t, p.traces.ConsumeTraces(ctx, node.td))
			require.NoError(t, p.traces.(pipelineEnd).Unwrap().flush(ctx))
			first := p.executions(t)[exec].StartedAt
			require.Equal(t, midnight.Add(time.Second), first)
			flow := newSpans(trace)
			flow.add("wf.flow", pcommon.SpanID{}, at(-time.Second), at(3*time.Second), map[string]any{"agora.flow": "wf"})

			// test: the flow span, which started the day before, before or
			// after a crash; then another crash, and a late node span
			if flowBeforeCrash {
				require.NoError(t, p.traces.ConsumeTraces(ctx, flow.td))
			}
			p, stop = crashAndRestart(t, p, stop, dir, cfg)
			if !flowBeforeCrash {
				require.NoError(t, p.traces.ConsumeTraces(ctx, flow.td))
			}
			p, stop = crashAndRestart(t, p, stop, dir, cfg)
			defer stop()
			late := newSpans(trace)
			late.add("B.node", pcommon.SpanID{8}, at(4*time.Second), at(5*time.Second), map[string]any{"agora.node": "B", "agora.kind": "node"})
			require.NoError(t, p.traces.ConsumeTraces(ctx, late.td))
			p.shutdown(t)

			// verify
			e := p.executions(t)[exec]
			assert.Equal(t, first, e.StartedAt, "the first version's day")
			assert.Equal(t, []any{int64(2), "wf"}, []any{e.NodeCount, e.WorkflowName}, "every input folded")
		})
	}
}

// TestAnExecutionInOneRequestJournalsOneEntry: an execution whose start
// stays on its day journals only its inputs, no start of its own.
func TestAnExecutionInOneRequestJournalsOneEntry(t *testing.T) {
	cfg := createDefaultConfig().(*Config)
	cfg.FlushInterval = time.Hour
	host, id, stop := storageHost(t, t.TempDir())
	defer stop()
	cfg.Storage = &id
	p := newPipelines(t, cfg, host)
	defer p.shutdown(t)
	trace := pcommon.TraceID(uuid.New())
	require.NoError(t, p.traces.ConsumeTraces(context.Background(), tracerRun(trace, 3).td))
	ep := p.traces.(pipelineEnd).Unwrap()
	require.NoError(t, ep.flush(context.Background()))
	ep.mu.Lock()
	defer ep.mu.Unlock()
	sp, ok := ep.state.orgs[testOrg].spilled[uuid.UUID(trace)]
	require.True(t, ok, "settled and spilled")
	assert.Equal(t, uint8(1), sp.n, "one journal entry: the request's spans")
}
