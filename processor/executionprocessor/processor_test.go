package executionprocessor

import (
	"context"
	"encoding/binary"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/open-telemetry/opentelemetry-collector-contrib/extension/storage/filestorage"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componentstatus"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/exporter/exporterhelper"
	"go.opentelemetry.io/collector/extension"
	"go.opentelemetry.io/collector/extension/extensiontest"
	"go.opentelemetry.io/collector/extension/xextension/storage"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/processor"
	"go.opentelemetry.io/collector/processor/processortest"

	"github.com/agora-otelcol/agora-otelcol/extension/walstorageextension"
	"github.com/agora-otelcol/agora-otelcol/internal/agora"
	"github.com/agora-otelcol/agora-otelcol/internal/health"
	"github.com/agora-otelcol/agora-otelcol/internal/testutil"
	"github.com/agora-otelcol/agora-otelcol/processor/executionprocessor/internal/metadata"
)

func TestTracesOnlyIsAStartupError(t *testing.T) {
	f := NewFactory()
	p, err := f.CreateTraces(context.Background(), processortest.NewNopSettings(metadata.Type), f.CreateDefaultConfig(), consumertest.NewNop())
	require.NoError(t, err)
	assert.ErrorIs(t, p.Start(context.Background(), componenttest.NewNopHost()), errNoLogsPipeline)
	require.NoError(t, p.Shutdown(context.Background()))
}

// pipelines is the processor in a traces and a logs pipeline, as a
// collector builds it, with sinks behind.
type pipelines struct {
	traces processor.Traces
	logs   processor.Logs
	spans  *consumertest.TracesSink
	out    *consumertest.LogsSink
}

func newPipelines(t testing.TB, cfg *Config, host component.Host) *pipelines {
	t.Helper()
	f := NewFactory()
	set := processortest.NewNopSettings(metadata.Type)
	p := &pipelines{spans: new(consumertest.TracesSink), out: new(consumertest.LogsSink)}
	var err error
	p.traces, err = f.CreateTraces(context.Background(), set, cfg, p.spans)
	require.NoError(t, err)
	p.logs, err = f.CreateLogs(context.Background(), set, cfg, p.out)
	require.NoError(t, err)
	require.NoError(t, p.traces.Start(context.Background(), host))
	require.NoError(t, p.logs.Start(context.Background(), host))
	return p
}

func (p *pipelines) shutdown(t testing.TB) {
	require.NoError(t, p.traces.Shutdown(context.Background()))
	require.NoError(t, p.logs.Shutdown(context.Background()))
}

// executions are the newest execution records emitted so far, by id.
func (p *pipelines) executions(t *testing.T) map[uuid.UUID]agora.Execution {
	all := map[uuid.UUID]agora.Execution{}
	for _, ld := range p.out.AllLogs() {
		execs, _ := emitted(t, ld)
		for id, e := range execs {
			all[id] = e
		}
	}
	return all
}

// TestLifecycle: both pipelines through the factory share one state; spans
// pass on; Shutdown emits what changed.
func TestLifecycle(t *testing.T) {
	p := newPipelines(t, createDefaultConfig().(*Config), componenttest.NewNopHost())
	trace := pcommon.TraceID(uuid.New())
	require.NoError(t, p.traces.ConsumeTraces(context.Background(), tracerRun(trace, 1).td))
	require.Equal(t, 1, len(p.spans.AllTraces()), "spans pass on")
	p.shutdown(t)
	assert.Equal(t, agora.StatusSuccess, p.executions(t)[uuid.UUID(trace)].Status, "shutdown emits the pending record")
}

// TestAliasedSpansCarryTheirExecution: once a flow span named an API
// execution, later spans of its trace are stamped with it for the exporter.
func TestAliasedSpansCarryTheirExecution(t *testing.T) {
	p := newPipelines(t, createDefaultConfig().(*Config), componenttest.NewNopHost())
	defer p.shutdown(t)
	exec, trace := uuid.New(), pcommon.TraceID(uuid.New())
	b := newSpans(trace)
	b.add("wf.flow", pcommon.SpanID{}, 0, time.Second, map[string]any{agora.SpanAttrFlow: "wf", agora.SpanAttrExecutionID: exec.String()})
	b.add("late", pcommon.SpanID{1}, 0, time.Second, map[string]any{"gen_ai.system": "openai", "gen_ai.usage.input_tokens": 1})
	require.NoError(t, p.traces.ConsumeTraces(context.Background(), b.td))
	for _, span := range p.spans.AllTraces()[0].ResourceSpans().At(0).ScopeSpans().At(0).Spans().All() {
		assert.Equal(t, exec.String(), agora.Str(span.Attributes(), agora.AttrExecutionID), span.Name())
	}
}

// storageHost runs the real wal_storage extension (what the shipped
// configs journal to) over dir.
func storageHost(t testing.TB, dir string) (*testutil.Host, component.ID, func()) {
	t.Helper()
	f := walstorageextension.NewFactory()
	cfg := f.CreateDefaultConfig().(*walstorageextension.Config)
	cfg.Directory = dir
	return startStorage(t, component.MustNewIDWithName("wal_storage", "state"), f, cfg)
}

// fileStorageHost runs contrib's file_storage over dir: the processor works
// with any storage extension that can Walk.
func fileStorageHost(t testing.TB, dir string) (*testutil.Host, component.ID, func()) {
	t.Helper()
	f := filestorage.NewFactory()
	cfg := f.CreateDefaultConfig().(*filestorage.Config)
	cfg.Directory = dir
	return startStorage(t, component.MustNewIDWithName("file_storage", "state"), f, cfg)
}

func startStorage(t testing.TB, id component.ID, f extension.Factory, cfg component.Config) (*testutil.Host, component.ID, func()) {
	ext, err := f.Create(context.Background(), extensiontest.NewNopSettings(f.Type()), cfg)
	require.NoError(t, err)
	require.NoError(t, ext.Start(context.Background(), componenttest.NewNopHost()))
	return testutil.NewHost(map[component.ID]component.Component{id: ext}), id,
		func() { require.NoError(t, ext.Shutdown(context.Background())) }
}

func apiRecords(records ...func(plog.LogRecordSlice)) plog.Logs {
	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	rl.Resource().Attributes().PutStr(agora.AttrOrgID, testOrg)
	lrs := rl.ScopeLogs().AppendEmpty().LogRecords()
	for _, add := range records {
		add(lrs)
	}
	return ld
}

// restartAfterCrash stops p as a crash would (files closed as the kernel
// would, nothing flushed, no Shutdown) and starts a new process on the same
// storage, emitting every second.
func restartAfterCrash(t *testing.T, p *pipelines, stop func(), dir string, cfg *Config) *pipelines {
	t.Helper()
	p2, stop2 := crashAndRestart(t, p, stop, dir, cfg)
	t.Cleanup(stop2)
	return p2
}

// crashAndRestart is restartAfterCrash, returning the new storage's stop
// for the next crash.
func crashAndRestart(t *testing.T, p *pipelines, stop func(), dir string, cfg *Config) (*pipelines, func()) {
	t.Helper()
	ep := p.traces.(pipelineEnd).Unwrap()
	close(ep.stop)
	ep.done.Wait()
	require.NoError(t, ep.journal.Close(context.Background()))
	stop()
	cfg2 := *cfg
	cfg2.FlushInterval = time.Second
	host, _, stop2 := storageHost(t, dir)
	return newPipelines(t, &cfg2, host), stop2
}

// TestCrashKeepsState: the process dies (no Shutdown, no final flush) after
// acknowledging a start, two nodes and spans; after a restart only the
// completion arrives, and the record is whole.
func TestCrashKeepsState(t *testing.T) {
	// prepare
	dir := t.TempDir()
	cfg := createDefaultConfig().(*Config)
	cfg.FlushInterval = time.Hour // nothing is emitted before the crash
	host, id, stop := storageHost(t, dir)
	cfg.Storage = &id
	exec := uuid.New()
	sc := apiScope(testOrg, exec)
	in := pcommon.NewValueMap()
	in.Map().PutStr("q", "2+2")
	in.Map().PutInt("n", 4)
	p := newPipelines(t, cfg, host)
	require.NoError(t, p.logs.ConsumeLogs(context.Background(), apiRecords(started(agora.ExecutionStart{Scope: sc, StartedAt: t0, Input: in}),
		reported(agora.NodeExecution{Scope: sc, ID: uuid.New(), NodeName: "A", Status: agora.StatusSuccess, StartedAt: t0, RetryCount: 1}))))
	trace := pcommon.TraceID(uuid.New())
	run := tracerRun(trace, 2)
	require.NoError(t, p.traces.ConsumeTraces(context.Background(), run.td))
	// test: the crash, then a new process on the same storage
	p2 := restartAfterCrash(t, p, stop, dir, cfg)
	require.NoError(t, p2.logs.ConsumeLogs(context.Background(), apiRecords(completed(agora.ExecutionCompletion{
		Scope: agora.Scope{ExecutionID: exec}, Status: agora.StatusSuccess, CompletedAt: t0.Add(5 * time.Second), DurationMs: 5000}))))
	p2.shutdown(t)

	// verify
	execs := p2.executions(t)
	e := execs[exec]
	assert.Equal(t, []any{agora.StatusSuccess, int64(1), int64(1), "wf"}, []any{e.Status, e.NodeCount, e.RetryCount, e.WorkflowName})
	assert.Equal(t, map[string]any{"q": "2+2", "n": int64(4)}, e.Input.Map().AsRaw(), "types survive the journal")
	o := execs[uuid.UUID(trace)]
	assert.Equal(t, []any{agora.StatusSuccess, int64(2), int64(17)}, []any{o.Status, o.NodeCount, o.TotalTokens}, "the span-only execution too")
}

// refusingLogs is a logs pipeline whose sending queue is full until told otherwise.
type refusingLogs struct {
	consumertest.LogsSink
	full bool
}

func (r *refusingLogs) ConsumeLogs(ctx context.Context, ld plog.Logs) error {
	if r.full {
		return exporterhelper.ErrQueueIsFull
	}
	return r.LogsSink.ConsumeLogs(ctx, ld)
}

// TestRefusingIsReported: while the sending queue is full the processor
// says in component status that the collector refuses data (readiness
// turns false on it), and clears it when data is accepted again.
func TestRefusingIsReported(t *testing.T) {
	f := NewFactory()
	set := processortest.NewNopSettings(metadata.Type)
	next := &refusingLogs{full: true}
	cfg := createDefaultConfig().(*Config)
	tp, err := f.CreateTraces(context.Background(), set, cfg, consumertest.NewNop())
	require.NoError(t, err)
	lp, err := f.CreateLogs(context.Background(), set, cfg, next)
	require.NoError(t, err)
	host := testutil.NewHost(nil)
	require.NoError(t, lp.Start(context.Background(), host))
	defer func() {
		require.NoError(t, tp.Shutdown(context.Background()))
		require.NoError(t, lp.Shutdown(context.Background()))
	}()

	err = lp.ConsumeLogs(context.Background(), apiRecords(started(agora.ExecutionStart{Scope: apiScope(testOrg, uuid.New()), StartedAt: t0})))
	require.ErrorIs(t, err, exporterhelper.ErrQueueIsFull, "the sender gets the retryable error")
	require.NotNil(t, host.Last())
	assert.Equal(t, componentstatus.StatusRecoverableError, host.Last().Status())
	assert.ErrorIs(t, host.Last().Err(), health.ErrRefusing)

	next.full = false
	require.NoError(t, lp.ConsumeLogs(context.Background(), apiRecords(started(agora.ExecutionStart{Scope: apiScope(testOrg, uuid.New()), StartedAt: t0}))))
	assert.Equal(t, componentstatus.StatusRecoverableError, host.Last().Status(), "a request that fits does not end it at once")
	ep := lp.(pipelineEnd).Unwrap()
	ep.statusMu.Lock()
	ep.lastRefusal = time.Now().Add(-refusalHold)
	ep.statusMu.Unlock()
	require.NoError(t, lp.ConsumeLogs(context.Background(), apiRecords(started(agora.ExecutionStart{Scope: apiScope(testOrg, uuid.New()), StartedAt: t0}))))
	assert.Equal(t, componentstatus.StatusOK, host.Last().Status(), "cleared once refusals stopped")
}

func TestChunkKeepsEveryRecordAndResource(t *testing.T) {
	ld := plog.NewLogs()
	for org := range 3 {
		rl := ld.ResourceLogs().AppendEmpty()
		rl.Resource().Attributes().PutStr(agora.AttrOrgID, fmt.Sprint("org-", org))
		lrs := rl.ScopeLogs().AppendEmpty().LogRecords()
		for i := range 7 {
			lrs.AppendEmpty().Body().SetInt(int64(org*100 + i))
		}
	}
	chunks := chunk(ld, 5)
	require.Len(t, chunks, 5)
	var seen []int64
	for _, c := range chunks {
		assert.LessOrEqual(t, c.LogRecordCount(), 5)
		for _, rl := range c.ResourceLogs().All() {
			org := agora.Str(rl.Resource().Attributes(), agora.AttrOrgID)
			for _, lr := range rl.ScopeLogs().At(0).LogRecords().All() {
				assert.Equal(t, fmt.Sprint("org-", lr.Body().Int()/100), org, "a record keeps its org")
				seen = append(seen, lr.Body().Int())
			}
		}
	}
	assert.Len(t, seen, 21)
}

// TestRefusedEmissionIsEmittedAgain: records the sending queue refused
// (execution and node records) go again at the next flush: node rows come
// only from this processor, so none may be dropped.
func TestRefusedEmissionIsEmittedAgain(t *testing.T) {
	f := NewFactory()
	set := processortest.NewNopSettings(metadata.Type)
	next := &refusingLogs{full: true}
	lp, err := f.CreateLogs(context.Background(), set, testConfig(), next)
	require.NoError(t, err)
	require.NoError(t, lp.Start(context.Background(), testutil.NewHost(nil)))
	defer func() { require.NoError(t, lp.Shutdown(context.Background())) }()
	p := lp.(pipelineEnd).Unwrap()

	exec := uuid.New()
	scope := apiScope(testOrg, exec)
	node := agora.NodeExecution{Scope: scope, NodeName: "N", NodeType: "T", Status: agora.StatusSuccess, StartedAt: t0}
	node.ID = agora.NodeExecutionID(exec, node.NodeName, node.StartedAt)
	next.full = false
	require.NoError(t, lp.ConsumeLogs(context.Background(), apiRecords(started(agora.ExecutionStart{Scope: scope, StartedAt: t0}), reported(node))))
	next.Reset() // the API records passed on
	next.full = true
	require.Error(t, p.flush(context.Background()), "the queue refuses the records")
	assert.Zero(t, next.LogRecordCount())

	next.full = false
	require.NoError(t, p.flush(context.Background()))
	execs, nodes := emitted(t, mergeLogs(next.AllLogs()))
	assert.Contains(t, execs, exec)
	assert.Len(t, nodes, 1, "the node record went at the next flush")
}

func mergeLogs(all []plog.Logs) plog.Logs {
	out := plog.NewLogs()
	for _, ld := range all {
		ld.ResourceLogs().MoveAndAppendTo(out.ResourceLogs())
	}
	return out
}

// countingClient counts the storage transactions (Batch calls) it passes on,
// each taking at least a millisecond, as a transaction that syncs to disk
// does: writers that arrive meanwhile must wait, and share the next one.
type countingClient struct {
	storage.Client
	batches atomic.Int64
}

func (c *countingClient) Batch(ctx context.Context, ops ...*storage.Operation) error {
	c.batches.Add(1)
	time.Sleep(time.Millisecond)
	return c.Client.Batch(ctx, ops...)
}

// TestGroupCommit: concurrent journal writes share transactions, and
// every write is stored under its own sequence number.
func TestGroupCommit(t *testing.T) {
	host, id, stop := storageHost(t, t.TempDir())
	defer stop()
	j, err := openJournal(context.Background(), host, id, component.MustNewID("execution"))
	require.NoError(t, err)
	counting := &countingClient{Client: j.client}
	j.client = counting
	const writers, each = 8, 50
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				en := &entry{kind: entryMeta, key: key{org: testOrg, exec: uuid.New()}, first: t0.Add(time.Duration(w*each+i) * time.Second)}
				assert.NoError(t, j.write(context.Background(), j.reserve(1), []*entry{en}))
			}
		})
	}
	wg.Wait()
	stored := 0
	require.NoError(t, j.walker.Walk(context.Background(), func(string, []byte) ([]*storage.Operation, error) {
		stored++
		return nil, nil
	}))
	assert.Equal(t, writers*each, stored)
	assert.Less(t, counting.batches.Load(), int64(writers*each), "writes shared transactions")
	require.NoError(t, j.client.Close(context.Background()))
}

// TestSessionAndUser: an API start's input_data names them; an OTLP run's
// resource does (its spans do not); both survive a crash and replay.
func TestSessionAndUser(t *testing.T) {
	// prepare
	dir := t.TempDir()
	cfg := createDefaultConfig().(*Config)
	cfg.FlushInterval = time.Hour
	host, id, stop := storageHost(t, dir)
	cfg.Storage = &id
	exec := uuid.New()
	in := pcommon.NewValueMap()
	in.Map().PutStr("question", "q")
	in.Map().PutStr("session_id", "conv-1")
	in.Map().PutStr("user_id", "alice")
	p := newPipelines(t, cfg, host)
	require.NoError(t, p.logs.ConsumeLogs(context.Background(), apiRecords(started(agora.ExecutionStart{Scope: apiScope(testOrg, exec), StartedAt: t0, Input: in}))))
	trace := pcommon.TraceID(uuid.New())
	run := tracerRun(trace, 1)
	res := run.td.ResourceSpans().At(0).Resource().Attributes()
	res.PutStr("session.id", "conv-2")
	res.PutStr("enduser.id", "bob")
	require.NoError(t, p.traces.ConsumeTraces(context.Background(), run.td))

	// test: replayed by a new process after a crash
	p2 := restartAfterCrash(t, p, stop, dir, cfg)
	p2.shutdown(t)

	// verify
	execs := p2.executions(t)
	assert.Equal(t, []string{"conv-1", "alice"}, []string{execs[exec].SessionID, execs[exec].UserID})
	o := execs[uuid.UUID(trace)]
	assert.Equal(t, []string{"conv-2", "bob"}, []string{o.SessionID, o.UserID}, "from the resource, through the journal")
}

// A flush's records come in requests of about maxEmit records, built so:
// every execution's records share one request, under its org's resource.
func TestFlushBuildsRequestsAtExecutionBoundaries(t *testing.T) {
	s := newState(testConfig())
	const runs = 700 // 3 nodes: 4 records each, 2,800 in all
	for i := range runs {
		var trace pcommon.TraceID
		binary.LittleEndian.PutUint64(trace[:], uint64(i)+1)
		fold(s, tracerRun(trace, 3).td, t0)
	}
	outs := s.flush(t0.Add(time.Second))
	require.Greater(t, len(outs), 2)
	requestOf := map[uuid.UUID]int{} // execution id → its request
	total := 0
	for i, ld := range outs {
		assert.LessOrEqual(t, ld.LogRecordCount(), maxEmit+3, "request %d", i)
		total += ld.LogRecordCount()
		for _, rl := range ld.ResourceLogs().All() {
			assert.Equal(t, testOrg, agora.Str(rl.Resource().Attributes(), agora.AttrOrgID))
			for _, lr := range rl.ScopeLogs().At(0).LogRecords().All() {
				exec := uuid.UUID(lr.TraceID())
				if r, ok := requestOf[exec]; ok {
					assert.Equal(t, r, i, "execution %s split across requests", exec)
				}
				requestOf[exec] = i
			}
		}
	}
	assert.Equal(t, 4*runs, total)
	assert.Len(t, requestOf, runs)
}

// refusingFirst refuses its first request, which it was given all the
// same (a fan-out gives a request to each consumer: the metrics connector
// counts what the exporter's full queue refuses), and takes the rest.
type refusingFirst struct {
	mu    sync.Mutex
	given []plog.Logs
}

func (r *refusingFirst) Capabilities() consumer.Capabilities { return consumer.Capabilities{} }

func (r *refusingFirst) ConsumeLogs(_ context.Context, ld plog.Logs) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	cp := plog.NewLogs()
	ld.CopyTo(cp)
	r.given = append(r.given, cp)
	if len(r.given) == 1 {
		return exporterhelper.ErrQueueIsFull
	}
	return nil
}

// TestRefusedRecordsSettleOnceDelivered: after a flush whose first request
// is refused (but given to every consumer) and whose second is never sent,
// every settled record reaches the consumers exactly once unmarked: the
// refused request's again as repeats, the unsent one's as firsts.
func TestRefusedRecordsSettleOnceDelivered(t *testing.T) {
	f := NewFactory()
	set := processortest.NewNopSettings(metadata.Type)
	next := &refusingFirst{}
	cfg := testConfig()
	cfg.FlushInterval = time.Hour // flushed by the test
	tp, err := f.CreateTraces(context.Background(), set, cfg, new(consumertest.TracesSink))
	require.NoError(t, err)
	lp, err := f.CreateLogs(context.Background(), set, cfg, next)
	require.NoError(t, err)
	require.NoError(t, tp.Start(context.Background(), testutil.NewHost(nil)))
	require.NoError(t, lp.Start(context.Background(), testutil.NewHost(nil)))
	defer func() {
		require.NoError(t, tp.Shutdown(context.Background()))
		require.NoError(t, lp.Shutdown(context.Background()))
	}()
	p := lp.(pipelineEnd).Unwrap()

	const runs = 300 // 4 records each: two requests
	for i := range runs {
		var trace pcommon.TraceID
		binary.LittleEndian.PutUint64(trace[:], uint64(i)+1)
		require.NoError(t, tp.ConsumeTraces(context.Background(), tracerRun(trace, 3).td))
	}
	require.Error(t, p.flush(context.Background()), "the first request refused")
	require.Len(t, next.given, 1, "the second never sent")
	require.NoError(t, p.flush(context.Background()))

	firsts := map[uuid.UUID]int{} // unmarked settled versions by record id
	for _, ld := range next.given {
		for _, rl := range ld.ResourceLogs().All() {
			for _, lr := range rl.ScopeLogs().At(0).LogRecords().All() {
				if _, repeat := lr.Attributes().Get(agora.AttrRecordRepeat); repeat {
					continue
				}
				id := uuid.UUID(lr.TraceID())
				if lr.EventName() == agora.EventNodeExecutionRecord {
					id, err = agora.NodeRecordID(lr)
					require.NoError(t, err)
				}
				firsts[id]++
			}
		}
	}
	assert.Len(t, firsts, 4*runs)
	for id, n := range firsts {
		assert.Equal(t, 1, n, "record %s", id)
	}
}
