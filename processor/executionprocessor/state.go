package executionprocessor // import "github.com/agora-otelcol/agora-otelcol/processor/executionprocessor"

import (
	"container/heap"
	"container/list"
	"time"

	"github.com/google/uuid"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/agora-otelcol/agora-otelcol/internal/agora"
)

// state holds the executions of every org. Each org has its own executions,
// LRU and limit, so one org's traffic can only ever push out its own
// executions. With a journal, an execution pushed out of memory is spilled:
// its inputs stay on disk and it is rebuilt from them when telemetry for it
// arrives; without one it is evicted: emitted and forgotten.
type state struct {
	cfg      *Config
	orgs     map[string]*orgState
	inMemory int
	journal  *journal // nil: no storage configured
	// out collects the records the next flush emits (those of evicted
	// executions and retractions come between flushes), in requests of
	// about maxEmit records: outs are the full ones.
	out      plog.Logs
	outs     []plog.Logs
	outByOrg map[string]plog.LogRecordSlice
	// outCount counts out's records up to the last records call; last
	// and lastLen are what that call handed out, to count what was added.
	outCount int
	last     plog.LogRecordSlice
	lastLen  int
	stats    stats
}

type orgState struct {
	id, name string
	execs    map[uuid.UUID]*execution
	lru      list.List // front: most recently seen
	// last is the execution looked up last, while in memory: a request's
	// spans come by execution, so the next span's is most often the same.
	last *execution
	// aliases: trace id (as a UUID) -> the execution its flow span named.
	aliases map[uuid.UUID]uuid.UUID
	// spilled holds every execution kept for retention outside memory:
	// as many as finish in a retention. Its values hold no pointers, so the
	// garbage collector never looks into it; the rare spill that does not
	// fit one keeps the rest in spillRest.
	spilled   map[uuid.UUID]spilled
	spillRest map[uuid.UUID]spillRest
	spills    uint32 // spills so far: each one's number
	// due orders the spilled executions by when a flush must look at them
	// again (a timeout, or the end of retention): a flush visits only
	// those due, not every execution kept for retention.
	due dueHeap
}

// stats are counted since the last flush, for the processor's telemetry.
type stats struct {
	created, retired, timedOut, spilled, rehydrated int64
	evicted                                         map[string]int64 // by org
}

func newState(cfg *Config) *state {
	return &state{cfg: cfg, orgs: map[string]*orgState{}, out: plog.NewLogs(), outByOrg: map[string]plog.LogRecordSlice{},
		stats: stats{evicted: map[string]int64{}}}
}

func (s *state) org(id, name string) *orgState {
	o, ok := s.orgs[id]
	if !ok {
		o = &orgState{id: id, execs: map[uuid.UUID]*execution{}, aliases: map[uuid.UUID]uuid.UUID{}, spilled: map[uuid.UUID]spilled{}}
		s.orgs[id] = o
	}
	if name != "" {
		o.name = name
	}
	return o
}

// lookup returns the execution, rebuilding a spilled one, or nil when it is
// neither in memory nor spilled.
func (s *state) lookup(o *orgState, exec uuid.UUID) *execution {
	if e := o.last; e != nil && e.key.exec == exec {
		o.lru.MoveToFront(e.elem)
		return e
	}
	if e, ok := o.execs[exec]; ok {
		o.lru.MoveToFront(e.elem)
		o.last = e
		return e
	}
	sp, ok := o.spilled[exec]
	if !ok || s.journal == nil {
		return nil
	}
	seqs, _ := o.spilledParts(exec, &sp)
	e := s.journal.rebuild(s.cfg, key{o.id, exec}, o.name, seqs)
	e.markEmitted() // it was, before it was spilled
	o.dropSpilled(exec)
	s.stats.rehydrated++
	s.admit(o, e)
	return e
}

// get returns the execution, creating it (and making room) when needed.
func (s *state) get(o *orgState, exec uuid.UUID) *execution {
	if e := s.lookup(o, exec); e != nil {
		return e
	}
	e := newExecution(key{o.id, exec}, o.name)
	s.stats.created++
	s.admit(o, e)
	return e
}

// admit puts an execution into memory, first making room: in its own org
// beyond the per-org limit, else in the largest org beyond the global one.
func (s *state) admit(o *orgState, e *execution) {
	for len(o.execs) >= s.cfg.MaxExecutionsPerOrg {
		s.pushOut(o)
	}
	for s.inMemory >= s.cfg.MaxExecutions {
		s.pushOut(s.largestOrg())
	}
	e.elem = o.lru.PushFront(e)
	o.execs[e.key.exec] = e
	o.last = e
	s.inMemory++
}

func (s *state) largestOrg() *orgState {
	var big *orgState
	for _, o := range s.orgs {
		if big == nil || len(o.execs) > len(big.execs) {
			big = o
		}
	}
	return big
}

// pushOut makes room in o: its least recently seen execution is spilled, or
// evicted when there is no journal.
func (s *state) pushOut(o *orgState) {
	e := o.lru.Back().Value.(*execution)
	if e.dirty {
		s.emit(o, e, time.Now())
	}
	s.forget(o, e)
	if s.journal == nil {
		s.stats.evicted[o.id]++
		s.dropAliases(o, e.key.exec, e.aliasedTraces())
		return
	}
	s.spill(o, e)
}

func (s *state) forget(o *orgState, e *execution) {
	o.lru.Remove(e.elem)
	delete(o.execs, e.key.exec)
	if o.last == e {
		o.last = nil
	}
	s.inMemory--
}

// retire forgets an execution for good and deletes its journal entries.
func (s *state) retire(o *orgState, exec uuid.UUID, journal []uint64, traces []uuid.UUID) {
	if e, ok := o.execs[exec]; ok {
		s.forget(o, e)
	}
	o.dropSpilled(exec)
	s.dropAliases(o, exec, traces)
	if s.journal != nil {
		s.journal.drop(journal)
	}
	s.stats.retired++
}

func (s *state) dropAliases(o *orgState, exec uuid.UUID, traces []uuid.UUID) {
	for _, t := range traces {
		if o.aliases[t] == exec {
			delete(o.aliases, t)
		}
	}
}

// emit appends the execution's changed records to the org's output.
func (s *state) emit(o *orgState, e *execution, now time.Time) {
	e.appendRecords(s.records(o), s.cfg.RecordEncoding, now)
}

// journalStarts adds to a request's journal entries the start of the
// first emitted version of each execution the request moved to another day
// (the executions table's partition): a rebuild folds every input again and
// would otherwise put later versions on the new day. Without it the rebuilt
// start is the first version's day, so most executions never write one.
func (s *state) journalStarts(b *batch) {
	for _, en := range b.order {
		o := s.orgs[en.key.org]
		if o == nil {
			continue
		}
		if e := o.execs[en.key.exec]; e != nil && !e.firstStart.IsZero() {
			e.journalStartDay(b)
		}
	}
}

// journalStartDay adds the first version's start to b when the start the
// execution's inputs give is on another day and it is not journaled yet.
func (e *execution) journalStartDay(b *batch) {
	if !e.startJournaled && !sameDay(e.startedAt(), e.firstStart) {
		b.meta(e.key, e.firstStart)
		e.startJournaled = true
	}
}

// fixStart gives a rebuilt execution that journaled no first start the one
// its inputs give: the first version's day (see journalStarts).
func (e *execution) fixStart() {
	if e.firstStart.IsZero() {
		e.firstStart = e.startedAt()
	}
}

// restoredStarts fixes the first start of every execution a restart
// rebuilt into memory, and journals those an emission during the restore
// put on another day than their inputs now give.
func (s *state) restoredStarts(b *batch) {
	for _, o := range s.orgs {
		for _, e := range o.execs {
			e.fixStart()
			e.journalStartDay(b)
		}
	}
}

func sameDay(a, b time.Time) bool {
	ay, am, ad := a.UTC().Date()
	by, bm, bd := b.UTC().Date()
	return ay == by && am == bm && ad == bd
}

// records is where records of o's executions go until the next flush: one
// resource per org, stamped with the org. Each caller writes one
// execution's records; a request holding maxEmit records or more is closed
// first, so an execution's records share a request, and building them
// into requests leaves nothing to split (but an execution of more).
func (s *state) records(o *orgState) plog.LogRecordSlice {
	if s.last != (plog.LogRecordSlice{}) {
		s.outCount += s.last.Len() - s.lastLen
	}
	if s.outCount >= maxEmit {
		s.outs = append(s.outs, s.out)
		s.out, s.outCount = plog.NewLogs(), 0
		clear(s.outByOrg)
	}
	lrs, ok := s.outByOrg[o.id]
	if !ok {
		lrs = newOrgRecords(s.out, o.id, o.name)
		s.outByOrg[o.id] = lrs
	}
	s.last, s.lastLen = lrs, lrs.Len()
	return lrs
}

// flush marks timeouts, emits what changed, spills settled executions
// (with a journal they are rebuilt if late telemetry arrives) and retires
// those past retention. It returns the records, in requests.
func (s *state) flush(now time.Time) []plog.Logs {
	for _, o := range s.orgs {
		for _, e := range o.execs {
			quiet := now.Sub(e.rec.LastSeen)
			if e.open() && quiet >= s.cfg.ExecutionTimeout {
				e.rec.Status, e.dirty = agora.StatusTimeout, true
				s.stats.timedOut++
			}
			if e.dirty {
				s.emit(o, e, now)
			}
			switch {
			case e.open():
			case quiet >= s.cfg.Retention:
				s.retire(o, e.key.exec, e.journal, e.aliasedTraces())
			case s.journal != nil:
				s.forget(o, e)
				s.spill(o, e)
			}
		}
		for len(o.due) > 0 && o.due[0].at <= now.UnixNano() {
			d := heap.Pop(&o.due).(due)
			sp, ok := o.spilled[d.exec]
			if !ok || sp.spill != d.spill {
				continue // rebuilt or retired since
			}
			if sp.open {
				// Rebuilt to emit its timeout, spilled again at the next flush.
				if e := s.lookup(o, d.exec); e != nil {
					e.rec.Status, e.dirty = agora.StatusTimeout, true
					s.stats.timedOut++
					s.emit(o, e, now)
				}
				continue
			}
			journal, traces := o.spilledParts(d.exec, &sp)
			s.retire(o, d.exec, journal, traces)
		}
		if len(o.execs) == 0 && len(o.spilled) == 0 {
			delete(s.orgs, o.id)
		}
	}
	out := append(s.outs, s.out)
	s.out, s.outs, s.outByOrg = plog.NewLogs(), nil, map[string]plog.LogRecordSlice{}
	s.outCount, s.last, s.lastLen = 0, plog.LogRecordSlice{}, 0
	return out
}

// openExecutions counts what the state holds: in memory and spilled.
func (s *state) openExecutions() (inMemory, spilledCount int) {
	for _, o := range s.orgs {
		spilledCount += len(o.spilled)
	}
	return s.inMemory, spilledCount
}
