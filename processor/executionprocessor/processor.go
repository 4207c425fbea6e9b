package executionprocessor // import "github.com/agora-otelcol/agora-otelcol/processor/executionprocessor"

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/processor"
	"go.uber.org/zap"

	"github.com/agora-otelcol/agora-otelcol/internal/agora"
	"github.com/agora-otelcol/agora-otelcol/processor/executionprocessor/internal/metadata"
)

// errNoLogsPipeline: records leave through the logs pipeline, so the
// processor must be in one (under the same id as in the traces pipeline).
var errNoLogsPipeline = errors.New("the execution processor emits execution records as logs: put it (the same component id) in a logs pipeline too")

// executionProcessor is one instance per component id, shared by the traces
// and the logs pipeline: spans and Agora API records fold into one state.
type executionProcessor struct {
	cfg       *Config
	id        component.ID
	logger    *zap.Logger
	store     *persister
	telemetry *metadata.TelemetryBuilder
	release   func()

	nextTraces consumer.Traces
	nextLogs   consumer.Logs

	mu    sync.Mutex
	state *state
	now   func() time.Time

	startOnce, stopOnce sync.Once
	startErr            error
	stop                chan struct{}
	done                sync.WaitGroup
}

var (
	_ processor.Traces = (*executionProcessor)(nil)
	_ processor.Logs   = (*executionProcessor)(nil)
)

func newExecutionProcessor(cfg *Config, set processor.Settings, release func()) (*executionProcessor, error) {
	tb, err := metadata.NewTelemetryBuilder(set.TelemetrySettings)
	if err != nil {
		return nil, err
	}
	st := newState(cfg)
	st.persist = cfg.Storage != nil
	return &executionProcessor{cfg: cfg, id: set.ID, logger: set.Logger, telemetry: tb, release: release, state: st, now: time.Now}, nil
}

func (p *executionProcessor) Capabilities() consumer.Capabilities {
	return consumer.Capabilities{MutatesData: false}
}

// Start runs once for both pipelines: it restores the stored state, then
// starts the flush loop.
func (p *executionProcessor) Start(ctx context.Context, host component.Host) error {
	p.startOnce.Do(func() {
		if p.nextLogs == nil {
			p.startErr = errNoLogsPipeline
			return
		}
		if p.cfg.Storage != nil {
			if p.store, p.startErr = openStorage(ctx, host, *p.cfg.Storage, p.id); p.startErr != nil {
				return
			}
			n, err := p.store.restore(ctx, p.state)
			if err != nil {
				p.startErr = fmt.Errorf("restore execution state: %w", err)
				return
			}
			p.logger.Info("execution state restored", zap.Int("executions", n))
		}
		p.stop = make(chan struct{})
		p.done.Go(p.run)
	})
	return p.startErr
}

// Shutdown stops the flush loop and emits what changed since the last flush.
func (p *executionProcessor) Shutdown(ctx context.Context) error {
	var err error
	p.stopOnce.Do(func() {
		if p.stop != nil {
			close(p.stop)
			p.done.Wait()
			err = p.flush(ctx)
		}
		if p.store != nil {
			err = errors.Join(err, p.store.client.Close(ctx))
		}
		p.telemetry.Shutdown()
		p.release()
	})
	return err
}

func (p *executionProcessor) run() {
	t := time.NewTicker(p.cfg.FlushInterval)
	defer t.Stop()
	for {
		select {
		case <-p.stop:
			return
		case <-t.C:
			if err := p.flush(context.Background()); err != nil {
				p.logger.Warn("execution records not emitted; retrying at the next flush", zap.Error(err))
			}
		}
	}
}

// flush emits changed records. If the logs pipeline refuses them they stay
// changed and go again at the next flush.
func (p *executionProcessor) flush(ctx context.Context) error {
	p.mu.Lock()
	now := p.now()
	ld, ops := p.state.flush(now)
	s := p.state
	newExecs, gone, evictions, timeouts := s.newExecs, s.gone, s.evictions, s.timeouts
	s.newExecs, s.gone, s.evictions, s.timeouts = 0, 0, 0, 0
	p.mu.Unlock()

	if p.store != nil {
		if err := p.store.write(ctx, ops); err != nil {
			p.logger.Warn("execution state not stored; a restart now would lose the changes of this flush", zap.Error(err))
		}
	}
	p.telemetry.ProcessorExecutionInFlight.Add(ctx, newExecs-gone)
	p.telemetry.ProcessorExecutionEvicted.Add(ctx, evictions)
	p.telemetry.ProcessorExecutionTimedOut.Add(ctx, timeouts)
	if evictions > 0 {
		p.logger.Warn("max_executions reached: least recently seen executions emitted and dropped from state", zap.Int64("evicted", evictions))
	}
	n := ld.LogRecordCount()
	if n == 0 {
		return nil
	}
	if err := p.nextLogs.ConsumeLogs(ctx, ld); err != nil {
		p.redirty(ld)
		return err
	}
	p.telemetry.ProcessorExecutionRecordsEmitted.Add(ctx, int64(n))
	return nil
}

// redirty marks the executions of refused records changed again.
func (p *executionProcessor) redirty(ld plog.Logs) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, rl := range ld.ResourceLogs().All() {
		org := str(rl.Resource().Attributes(), agora.AttrOrgID)
		for _, sl := range rl.ScopeLogs().All() {
			for _, lr := range sl.LogRecords().All() {
				if e, ok := p.state.execs[key{org, agora.ScopeOf(lr).ExecutionID}]; ok {
					e.dirty = true
				}
			}
		}
	}
}

// ConsumeTraces folds every span, then passes the traces on unchanged.
func (p *executionProcessor) ConsumeTraces(ctx context.Context, td ptrace.Traces) error {
	now := p.now()
	p.mu.Lock()
	for _, rs := range td.ResourceSpans().All() {
		res := rs.Resource().Attributes()
		org := str(res, agora.AttrOrgID)
		if org == "" {
			continue // not tenant-stamped: belongs to no org's records
		}
		orgName := str(res, agora.AttrOrgName)
		project := str(res, "agora.project")
		if project == "" {
			project = str(res, "service.name")
		}
		for _, ss := range rs.ScopeSpans().All() {
			for _, span := range ss.Spans().All() {
				p.state.onSpan(org, orgName, project, span, now)
			}
		}
	}
	p.mu.Unlock()
	return p.nextTraces.ConsumeTraces(ctx, td)
}

// ConsumeLogs folds the Agora API's records, then passes the logs on.
func (p *executionProcessor) ConsumeLogs(ctx context.Context, ld plog.Logs) error {
	now := p.now()
	p.mu.Lock()
	for _, rl := range ld.ResourceLogs().All() {
		res := rl.Resource().Attributes()
		org := str(res, agora.AttrOrgID)
		if org == "" {
			continue
		}
		orgName := str(res, agora.AttrOrgName)
		for _, sl := range rl.ScopeLogs().All() {
			for _, lr := range sl.LogRecords().All() {
				p.foldLog(org, orgName, lr, now)
			}
		}
	}
	p.mu.Unlock()
	return p.nextLogs.ConsumeLogs(ctx, ld)
}

func (p *executionProcessor) foldLog(org, orgName string, lr plog.LogRecord, now time.Time) {
	switch lr.EventName() {
	case agora.EventExecutionStarted:
		st := agora.ExecutionStart{Scope: agora.ScopeOf(lr), StartedAt: lr.Timestamp().AsTime(), Input: pcommon.NewValueEmpty()}
		if lr.Body().Type() == pcommon.ValueTypeMap {
			st.Input = copyAttr(lr.Body().Map(), agora.FieldInputData)
		}
		p.state.onStart(org, orgName, st, now)
	case agora.EventExecutionCompleted:
		if lr.Body().Type() != pcommon.ValueTypeMap {
			return
		}
		b := lr.Body().Map()
		c := agora.ExecutionCompletion{Scope: agora.ScopeOf(lr), CompletedAt: lr.Timestamp().AsTime(),
			Status: str(b, agora.FieldStatus), ErrorMessage: str(b, agora.FieldErrorMessage), Output: copyAttr(b, agora.FieldOutputData)}
		if v, ok := b.Get(agora.FieldDurationMs); ok {
			c.DurationMs, _ = number(v)
		}
		p.state.onComplete(org, orgName, c, now)
	case agora.EventNodeReported:
		if n, err := agora.DecodeNodeExecution(lr); err == nil {
			n.Input, n.Output = copied(n.Input), copied(n.Output)
			p.state.onNodeReport(org, orgName, n, now)
		}
	}
}
