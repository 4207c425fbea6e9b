package executionprocessor // import "github.com/agora-otelcol/agora-otelcol/processor/executionprocessor"

import (
	"context"
	"errors"
	"time"

	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.uber.org/zap"

	"github.com/agora-otelcol/agora-otelcol/internal/agora"
)

// run flushes every flush_interval until Shutdown.
func (p *executionProcessor) run() {
	t := time.NewTicker(p.cfg.FlushInterval)
	defer t.Stop()
	for {
		select {
		case <-p.stop:
			return
		case <-t.C:
			_ = p.refused(nil) // clears a refusal that ended without traffic
			if err := p.flush(context.Background()); err != nil {
				p.logger.Warn("execution records not emitted; retrying at the next flush", zap.Error(err))
			}
		}
	}
}

// flush emits changed records and deletes retired journal entries. Records
// the logs pipeline refuses are emitted again at the next flush.
func (p *executionProcessor) flush(ctx context.Context) error {
	p.mu.Lock()
	now := p.now()
	outs := p.state.flush(now)
	st := p.state.stats
	p.state.stats = stats{evicted: map[string]int64{}}
	p.mu.Unlock()

	p.record(ctx, st)
	var err error
	if p.journal != nil {
		err = p.journal.sync(ctx)
	}
	// In requests of bounded size, so each fits a small sending queue; the
	// first refused one and those after it go again at the next flush. The
	// refused one reached every consumer (the fan-out gives it to each, the
	// metrics connector counts it); those after it reached none.
	var chunks []plog.Logs
	for _, ld := range outs {
		if ld.LogRecordCount() > 0 {
			chunks = append(chunks, chunk(ld, maxEmit)...)
		}
	}
	for i, c := range chunks {
		if cerr := p.refused(p.nextLogs.ConsumeLogs(ctx, c)); cerr != nil {
			for j, rest := range chunks[i:] {
				p.redirty(rest, j == 0)
			}
			return errors.Join(err, cerr)
		}
		p.telemetry.ProcessorExecutionRecordsEmitted.Add(ctx, int64(c.LogRecordCount()))
	}
	return err
}

// maxEmit bounds the records of one emitted request (about 0.5 MB).
const maxEmit = 1000

// chunk splits ld into requests of at most n records, keeping resources
// (the state builds requests of about n; one execution of more is split
// here). It moves the records: ld is left empty.
func chunk(ld plog.Logs, n int) []plog.Logs {
	if ld.LogRecordCount() <= n {
		return []plog.Logs{ld}
	}
	var out []plog.Logs
	cur, count := plog.NewLogs(), 0
	for _, rl := range ld.ResourceLogs().All() {
		for _, sl := range rl.ScopeLogs().All() {
			var dst plog.LogRecordSlice
			for _, lr := range sl.LogRecords().All() {
				if count == n {
					out = append(out, cur)
					cur, count = plog.NewLogs(), 0
				}
				if count == 0 || dst == (plog.LogRecordSlice{}) {
					nrl := cur.ResourceLogs().AppendEmpty()
					rl.Resource().CopyTo(nrl.Resource())
					nsl := nrl.ScopeLogs().AppendEmpty()
					sl.Scope().CopyTo(nsl.Scope())
					dst = nsl.LogRecords()
				}
				lr.MoveTo(dst.AppendEmpty())
				count++
			}
		}
	}
	return append(out, cur)
}

// redirty marks what refused records carried changed again: their
// executions and node executions, so the next flush emits them. Records
// no consumer was given (not delivered) did not settle anything: a first
// settled version among them is a first again when emitted.
func (p *executionProcessor) redirty(ld plog.Logs, delivered bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, rl := range ld.ResourceLogs().All() {
		o, ok := p.state.orgs[agora.Str(rl.Resource().Attributes(), agora.AttrOrgID)]
		if !ok {
			continue
		}
		for _, sl := range rl.ScopeLogs().All() {
			for _, lr := range sl.LogRecords().All() {
				e := p.state.lookup(o, agora.ScopeOf(lr).ExecutionID)
				if e == nil {
					continue
				}
				e.dirty = true
				_, repeat := lr.Attributes().Get(agora.AttrRecordRepeat)
				unsettle := !delivered && !repeat
				if lr.EventName() != agora.EventNodeExecutionRecord {
					e.settled = e.settled && !unsettle
					continue
				}
				if id, err := agora.NodeRecordID(lr); err == nil {
					if nd, _ := e.nodes.get(id); nd != nil {
						nd.dirty = true
						nd.settled = nd.settled && !unsettle
					}
				}
			}
		}
	}
}

// record publishes the flush's counters.
func (p *executionProcessor) record(ctx context.Context, st stats) {
	p.telemetry.ProcessorExecutionInFlight.Add(ctx, st.created+st.rehydrated-st.retired-st.spilled)
	p.telemetry.ProcessorExecutionTimedOut.Add(ctx, st.timedOut)
	for org, n := range st.evicted {
		p.telemetry.ProcessorExecutionEvicted.Add(ctx, n, metric.WithAttributes(attribute.String("org", org)))
		p.logger.Warn("execution limits reached without storage: the org's least recently seen executions were emitted and dropped",
			zap.String("org", org), zap.Int64("evicted", n))
	}
}
