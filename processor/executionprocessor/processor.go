package executionprocessor // import "github.com/agora-otelcol/agora-otelcol/processor/executionprocessor"

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/google/uuid"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componentstatus"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/exporter/exporterhelper"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/processor"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.uber.org/zap"

	"github.com/agora-otelcol/agora-otelcol/internal/agora"
	"github.com/agora-otelcol/agora-otelcol/internal/health"
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
	telemetry *metadata.TelemetryBuilder

	nextTraces consumer.Traces
	nextLogs   consumer.Logs

	mu      sync.Mutex
	state   *state
	journal *journal
	now     func() time.Time

	stop chan struct{}
	done sync.WaitGroup

	host        component.Host
	statusMu    sync.Mutex
	refusing    bool // as last reported
	lastRefusal time.Time
}

func newExecutionProcessor(cfg *Config, set processor.Settings) (*executionProcessor, error) {
	tb, err := metadata.NewTelemetryBuilder(set.TelemetrySettings)
	if err != nil {
		return nil, err
	}
	return &executionProcessor{cfg: cfg, id: set.ID, logger: set.Logger, telemetry: tb, state: newState(cfg), now: time.Now}, nil
}

// Start restores the journaled state, then starts the flush loop.
func (p *executionProcessor) Start(ctx context.Context, host component.Host) error {
	if p.nextLogs == nil {
		return errNoLogsPipeline
	}
	p.host = host
	if p.cfg.Storage != nil {
		j, err := openJournal(ctx, host, *p.cfg.Storage, p.id)
		if err != nil {
			return err
		}
		p.journal, p.state.journal = j, j
		n, err := j.restore(ctx, p.replay)
		if err != nil {
			return fmt.Errorf("restore execution state: %w", err)
		}
		b := newBatch(p.now())
		p.mu.Lock()
		p.state.restoredStarts(b)
		if err := p.commit(ctx, b); err != nil {
			return fmt.Errorf("restore execution state: %w", err)
		}
		mem, spilled := p.state.openExecutions()
		p.logger.Info("execution state restored", zap.Int("journal_entries", n), zap.Int("executions", mem+spilled))
	}
	p.stop = make(chan struct{})
	p.done.Go(p.run)
	return nil
}

// replay folds a journal entry at restore, as when it was first received.
func (p *executionProcessor) replay(seq uint64, en *entry) {
	o := p.state.org(en.key.org, "")
	if en.kind == entryMeta {
		if e := p.state.lookup(o, en.key.exec); e != nil {
			e.firstStart, e.startJournaled = en.first, true
		}
		p.state.noteJournal(en.key, seq)
		return
	}
	e := p.state.get(o, en.key.exec)
	en.replay(e, p.cfg)
	p.state.noteJournal(en.key, seq)
}

// Shutdown stops the flush loop and emits what changed since the last flush.
func (p *executionProcessor) Shutdown(ctx context.Context) error {
	var err error
	if p.stop != nil {
		close(p.stop)
		p.done.Wait()
		err = p.flush(ctx)
	}
	if p.journal != nil {
		err = errors.Join(err, p.journal.Close(ctx))
	}
	p.telemetry.Shutdown()
	return err
}

// ConsumeTraces folds every span, journals what it folded, then passes the
// traces on: nothing is acknowledged that a restart would not know.
func (p *executionProcessor) ConsumeTraces(ctx context.Context, td ptrace.Traces) error {
	p.mu.Lock()
	now := p.now()
	b := newBatch(now)
	var f spanFacts // one for all the spans: see interpret
	ignored := map[string]int{}
	defer func() {
		for org, n := range ignored {
			p.telemetry.ProcessorExecutionIgnoredNumbers.Add(ctx, int64(n), metric.WithAttributes(attribute.String("org", org)))
		}
	}()
	for _, rs := range td.ResourceSpans().All() {
		res := rs.Resource().Attributes()
		org := agora.Str(res, agora.AttrOrgID)
		if org == "" {
			continue // not tenant-stamped: belongs to no org's records
		}
		o := p.state.org(org, agora.Str(res, agora.AttrOrgName))
		project := agora.Str(res, agora.ResourceProject)
		if project == "" {
			project = agora.Str(res, agora.ResourceService)
		}
		session, user := agora.FirstStr(res, agora.SessionKeys), agora.FirstStr(res, agora.UserKeys)
		for _, ss := range rs.ScopeSpans().All() {
			for _, span := range ss.Spans().All() {
				interpret(&f, span, p.cfg.Prices)
				f.withResource(session, user)
				if f.ignored > 0 {
					ignored[org] += f.ignored
				}
				e := p.state.foldSpan(o, project, &f, now)
				if e == nil {
					continue
				}
				if p.journal != nil {
					b.span(e.key, project, &f, span)
				}
				// The exporter files a span under its trace unless told
				// otherwise: a trace its flow filed under an API execution.
				if !f.fromAPI && e.key.exec != uuid.UUID(f.trace) {
					span.Attributes().PutStr(agora.AttrExecutionID, e.key.exec.String())
				}
			}
		}
	}
	p.state.journalStarts(b)
	if err := p.commit(ctx, b); err != nil {
		return p.refused(err)
	}
	return p.refused(p.nextTraces.ConsumeTraces(ctx, td))
}

// ConsumeLogs folds the Agora API's records, journals them, then passes the
// logs on, except the node reports it journaled (the node records it emits
// hold them whole).
func (p *executionProcessor) ConsumeLogs(ctx context.Context, ld plog.Logs) error {
	p.mu.Lock()
	now := p.now()
	b := newBatch(now)
	for _, rl := range ld.ResourceLogs().All() {
		res := rl.Resource().Attributes()
		org := agora.Str(res, agora.AttrOrgID)
		if org == "" {
			continue
		}
		o := p.state.org(org, agora.Str(res, agora.AttrOrgName))
		for _, sl := range rl.ScopeLogs().All() {
			sl.LogRecords().RemoveIf(func(lr plog.LogRecord) bool {
				if agora.ProcessorRecord(lr.EventName()) {
					disarm(lr)
					p.telemetry.ProcessorExecutionForgedRecords.Add(ctx, 1, metric.WithAttributes(attribute.String("org", org)))
					return false
				}
				e, report := p.state.foldRecord(o, lr, now)
				if e == nil || p.journal == nil {
					return false
				}
				if report != nil {
					// A journaled node report lives on in the node record
					// this processor emits (every field of it): it is not
					// stored twice.
					b.report(e.key, report)
					return true
				}
				b.record(e.key, lr)
				return false
			})
		}
	}
	p.state.journalStarts(b)
	if err := p.commit(ctx, b); err != nil {
		return p.refused(err)
	}
	if ld.LogRecordCount() == 0 {
		// Only journaled node reports (an SDK batch): an empty request would
		// still cost the exporter's queue a write, a read and a delete.
		return nil
	}
	return p.refused(p.nextLogs.ConsumeLogs(ctx, ld))
}

// disarm turns a sender's record named like one of this processor's into an
// ordinary log: the tables of execution records hold only what the
// processor folded, versioned by its own clock.
func disarm(lr plog.LogRecord) {
	lr.Attributes().PutStr(agora.AttrSenderEventName, lr.EventName())
	lr.SetEventName("")
}

// refused reports in component status whether the collector refuses data:
// the sending queue is full, or the journal cannot be written. Senders get
// a retryable error either way; readiness (agorahealth) turns false, and
// back only after refusalHold without a refusal (a nearly full queue takes
// a small request now and then: readiness does not flap with it).
func (p *executionProcessor) refused(err error) error {
	var journal errJournal
	refusing := errors.Is(err, exporterhelper.ErrQueueIsFull) || errors.As(err, &journal)
	p.statusMu.Lock()
	defer p.statusMu.Unlock()
	now := time.Now()
	if refusing {
		p.lastRefusal = now
	}
	switch {
	case p.host == nil:
	case refusing && !p.refusing:
		p.refusing = true
		p.logger.Warn("refusing data until there is room", zap.Error(err))
		componentstatus.ReportStatus(p.host, componentstatus.NewRecoverableErrorEvent(fmt.Errorf("%w: %w", health.ErrRefusing, err)))
	case !refusing && p.refusing && now.Sub(p.lastRefusal) >= refusalHold:
		p.refusing = false
		p.logger.Info("accepting data again")
		componentstatus.ReportStatus(p.host, componentstatus.NewEvent(componentstatus.StatusOK))
	}
	return err
}

// refusalHold is how long without a refusal before the collector says it
// accepts data again.
const refusalHold = 3 * time.Second

// commit journals a request's entries and unlocks the state. It is called
// with the state locked; the write happens after the unlock, in the order
// of the sequence numbers taken under it.
func (p *executionProcessor) commit(ctx context.Context, b *batch) error {
	if p.journal == nil || len(b.order) == 0 {
		p.mu.Unlock()
		return nil
	}
	first := p.journal.reserve(len(b.order))
	for i, en := range b.order {
		p.state.noteJournal(en.key, first+uint64(i))
	}
	p.mu.Unlock()
	if err := p.journal.write(ctx, first, b.order); err != nil {
		return errJournal{err}
	}
	return nil
}

// Capabilities: spans of an aliased trace get their execution id.
func (p *executionProcessor) Capabilities() consumer.Capabilities {
	return consumer.Capabilities{MutatesData: true}
}
