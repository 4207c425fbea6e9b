package executionprocessor // import "github.com/agora-otelcol/agora-otelcol/processor/executionprocessor"

import (
	"time"

	"github.com/google/uuid"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/agora-otelcol/agora-otelcol/internal/agora"
)

// Folding: which execution a span or record belongs to, decided here and
// only here, then the execution's typed event.

// resolve is the execution of a span: the one the Agora API's span names,
// the one its trace's flow span named, else its trace.
func (o *orgState) resolve(f *spanFacts) uuid.UUID {
	if f.fromAPI {
		return f.apiExec
	}
	trace := uuid.UUID(f.trace)
	if alias, ok := o.aliases[trace]; ok {
		return alias
	}
	return trace
}

// foldSpan folds a span into its execution and returns it; nil when the
// span belongs to no execution (a plain span of a trace nothing started).
func (s *state) foldSpan(o *orgState, project string, f *spanFacts, now time.Time) *execution {
	exec := o.resolve(f)
	if f.kind == kindFlow && !f.fromAPI && f.apiExec != uuid.Nil && f.apiExec != exec {
		// A flow also started through the JSON API names that execution:
		// the two describe one run. What its trace already folded moves over.
		trace := uuid.UUID(f.trace)
		o.aliases[trace] = f.apiExec
		exec = f.apiExec
		if early := s.lookup(o, trace); early != nil {
			early.appendRetraction(s.records(o), s.cfg.RecordEncoding, now)
			s.forget(o, early)
			s.get(o, exec).merge(early)
		}
	}
	e := s.lookup(o, exec)
	if e == nil {
		if !f.relevant() {
			return nil
		}
		e = s.get(o, exec)
	}
	e.touch(o.name, f.sourceBit(), now)
	e.foldSpan(o.id, project, f, s.cfg)
	return e
}

// foldSpan applies a span's facts to the execution.
func (e *execution) foldSpan(org, project string, f *spanFacts, cfg *Config) {
	e.addTrace(f.trace)
	if e.spanCount() >= cfg.MaxSpansPerExecution && e.spanNode(f.id) == nil {
		e.truncated = true
		if f.kind != kindFlow {
			return
		}
	}
	e.onLink(f)
	if f.session != "" && e.rec.SessionID == "" {
		e.rec.SessionID = f.session
	}
	if f.user != "" && e.rec.UserID == "" {
		e.rec.UserID = f.user
	}
	switch f.kind {
	case kindFlow:
		e.onFlowSpan(org, project, f)
	case kindNode:
		e.onNodeSpan(f, cfg.MaxNodesPerExecution)
	case kindPhase:
		e.onPhase(f)
	}
	if f.hasUsage() {
		e.onUsage(f)
	}
}

// spanCount is how many spans the execution keeps track of.
func (e *execution) spanCount() int {
	return e.bySpan.len() + e.parents.len() + e.pendingPhases.len() + e.pendingUsage.len()
}

// foldRecord folds an Agora API record (start, completion, node report)
// into its execution and returns it (nil for any other record), and the
// report it read, if it was a node report.
func (s *state) foldRecord(o *orgState, lr plog.LogRecord, now time.Time) (*execution, *agora.NodeExecution) {
	exec, ok := recordExecution(lr)
	if !ok {
		return nil, nil
	}
	e := s.get(o, exec)
	e.touch(o.name, fromAPI, now)
	return e, e.foldRecord(lr, s.cfg)
}

// recordExecution is the execution of a record this processor folds.
func recordExecution(lr plog.LogRecord) (uuid.UUID, bool) {
	switch lr.EventName() {
	case agora.EventExecutionStarted, agora.EventExecutionCompleted, agora.EventNodeReported:
		return uuid.UUID(lr.TraceID()), !lr.TraceID().IsEmpty()
	}
	return uuid.Nil, false
}

// foldRecord applies an Agora API record to the execution, and returns the
// node report it read, if any. A record that does not decode changes
// nothing (the exporter stores it as a plain log).
func (e *execution) foldRecord(lr plog.LogRecord, cfg *Config) *agora.NodeExecution {
	switch lr.EventName() {
	case agora.EventExecutionStarted:
		if st, err := agora.DecodeExecutionStart(lr); err == nil {
			e.onStart(st)
		}
	case agora.EventExecutionCompleted:
		if c, err := agora.DecodeExecutionCompletion(lr); err == nil {
			e.onComplete(c)
		}
	case agora.EventNodeReported:
		if n, err := agora.DecodeNodeExecution(lr); err == nil {
			e.onNodeReport(n, cfg.MaxNodesPerExecution)
			return &n
		}
	}
	return nil
}

// noteJournal records that journal entry seq holds inputs of the execution:
// retiring it deletes them, rebuilding it replays them. An execution merged
// into another meanwhile is found through its alias.
func (s *state) noteJournal(k key, seq uint64) {
	o, ok := s.orgs[k.org]
	if !ok {
		return
	}
	exec := k.exec
	if alias, ok := o.aliases[exec]; ok {
		exec = alias
	}
	if e, ok := o.execs[exec]; ok {
		e.journal = append(e.journal, seq)
	} else if sp, ok := o.spilled[exec]; ok {
		journal, traces := o.spilledParts(exec, &sp)
		o.putSpilled(exec, sp, append(journal, seq), traces)
	}
}
